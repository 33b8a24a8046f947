//! What a run says about its `--jobs` when a bound lowered it or slots share users.

use std::io::{self, Write};

use crate::suite::JobsNote;

/// One line per note, on the error stream (they are about the run, not its results).
pub fn render_jobs_notes(w: &mut dyn Write, notes: &[JobsNote]) -> io::Result<()> {
    for note in notes {
        match note {
            JobsNote::BoundedByPool { jobs, actor } => writeln!(
                w,
                "note: running {jobs} scenario{} at once: actor `{actor}` has {jobs} user{} in the profile; \
                 list more under its `users:` (one per job) to run more in parallel, or pass --jobs",
                plural(*jobs),
                plural(*jobs)
            )?,
            JobsNote::SharedUsers { jobs, actor, users } => writeln!(
                w,
                "note: {jobs} jobs share actor `{actor}`'s {users} user{}: each notification to a shared \
                 user reaches every scenario using it; list {jobs} users under its `users:` to avoid that",
                plural(*users)
            )?,
            JobsNote::CappedByOpenFiles {
                wanted,
                jobs,
                soft,
                hard,
            } => writeln!(
                w,
                "note: running {jobs} scenario{} at once, not {wanted}: the open-file limit is {soft} \
                 (hard limit {hard}), and each job holds connections; raise the hard limit to run more",
                plural(*jobs)
            )?,
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_note_is_one_line_naming_the_bound() {
        let notes = [
            JobsNote::BoundedByPool {
                jobs: 1,
                actor: "agent1".to_owned(),
            },
            JobsNote::SharedUsers {
                jobs: 8,
                actor: "agent2".to_owned(),
                users: 2,
            },
            JobsNote::CappedByOpenFiles {
                wanted: 512,
                jobs: 96,
                soft: 1024,
                hard: 1024,
            },
        ];
        let mut out = Vec::new();
        render_jobs_notes(&mut out, &notes).expect("renders");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].contains("running 1 scenario at once: actor `agent1` has 1 user"),
            "{text}"
        );
        assert!(
            lines[1].contains("8 jobs share actor `agent2`'s 2 users"),
            "{text}"
        );
        assert!(
            lines[2].contains("not 512: the open-file limit is 1024 (hard limit 1024)"),
            "{text}"
        );
    }
}
