pub fn run(_l: Vec<crate::lesson::Lesson>, _s: usize, _o: crate::cli::LabArgs) -> std::io::Result<()> { Ok(()) }
