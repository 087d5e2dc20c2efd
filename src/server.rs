pub fn run(_args: crate::config::ServeArgs) -> anyhow::Result<()> { anyhow::bail!("not yet") }
