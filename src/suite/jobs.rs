//! How many scenarios a run runs at once.
//!
//! The work is waiting, not computing: a scenario spends its time on round trips, on its
//! notifications and on the 250 ms settle, so the default is far above the CPU count
//! ([`DEFAULT_JOBS`]). Two things bound it:
//! - the user pools: parallel scenarios should log in as distinct users, so against a target
//!   whose profile lists `n` users for some actor the default is `n` (the embedded server
//!   provisions a pool as large as the run needs, so it sets no bound). More `--jobs` than
//!   users still works: the slots then share users.
//! - the open-file limit: every job holds connections, so `--jobs` (asked for or not) is
//!   capped where descriptors would run out.
//!
//! Each bound that lowers the number comes back as a [`JobsNote`] for the run to say.

use crate::open_files::OpenFiles;
use crate::scenario::LoadedScenario;
use crate::target::TargetSettings;

/// Scenarios at once when `--jobs` is not given (before the bounds).
pub const DEFAULT_JOBS: usize = 64;

/// Descriptors kept for everything but the jobs' connections (scenario and golden files,
/// reports, the listener, the runtime).
const RESERVED_FILES: u64 = 64;

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobsPlan {
    /// Scenarios at once.
    pub jobs: usize,
    /// Why it is lower than asked (or than the default), or what it costs.
    pub notes: Vec<JobsNote>,
}

/// Something the run says about its `--jobs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobsNote {
    /// The default was lowered to the smallest user pool of the run's actors.
    BoundedByPool {
        /// The number of jobs.
        jobs: usize,
        /// An actor with that few users.
        actor: String,
    },
    /// More jobs than an actor has users: slots share users (every notification of a shared
    /// user reaches every scenario using it).
    SharedUsers {
        /// The number of jobs.
        jobs: usize,
        /// The actor.
        actor: String,
        /// Its users.
        users: usize,
    },
    /// The open-file limit allows fewer jobs than wanted.
    CappedByOpenFiles {
        /// What was wanted (asked for, or the default).
        wanted: usize,
        /// What the limit allows.
        jobs: usize,
        /// The limit in force (already raised to the hard limit).
        soft: u64,
        /// The hard limit.
        hard: u64,
    },
}

/// The jobs for a run of `scenarios` with `settings` (the embedded server when `embedded`):
/// `requested` (`--jobs`) or the default, within the bounds.
pub fn decide_jobs(
    requested: Option<usize>,
    scenarios: &[LoadedScenario],
    settings: &TargetSettings,
    embedded: bool,
    files: OpenFiles,
) -> JobsPlan {
    let mut notes = Vec::new();
    let mut actors: Vec<&str> = scenarios
        .iter()
        .flat_map(|s| s.scenario.actors.iter().map(|a| a.value.as_str()))
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let smallest_pool = (!embedded)
        .then(|| {
            actors
                .iter()
                .map(|actor| (settings.pool_for(actor).len(), *actor))
                .min()
        })
        .flatten();
    let wanted = match (requested, smallest_pool) {
        (Some(jobs), _) => jobs,
        (None, Some((users, actor))) if users < DEFAULT_JOBS => {
            notes.push(JobsNote::BoundedByPool {
                jobs: users,
                actor: actor.to_owned(),
            });
            users
        }
        (None, _) => DEFAULT_JOBS,
    };
    // Not more slots than scenarios: an idle slot costs nothing, but it would be counted.
    let wanted = wanted.min(scenarios.len().max(1));
    let actors_per_job = scenarios
        .iter()
        .map(|s| s.scenario.actors.len())
        .max()
        .unwrap_or(1);
    let allowed = jobs_within(files, actors_per_job, embedded);
    let jobs = if wanted > allowed {
        notes.push(JobsNote::CappedByOpenFiles {
            wanted,
            jobs: allowed,
            soft: files.soft,
            hard: files.hard,
        });
        allowed
    } else {
        wanted
    };
    if let (Some(_), Some((users, actor))) = (requested, smallest_pool)
        && jobs > users
    {
        notes.push(JobsNote::SharedUsers {
            jobs,
            actor: actor.to_owned(),
            users,
        });
    }
    JobsPlan { jobs, notes }
}

/// How many jobs of `actors` actors fit in the open-file limit: per actor a long-poll and a
/// request connection, per job one for the state hook; with the embedded server each
/// connection's other end is a descriptor of this process too. At least 1.
fn jobs_within(files: OpenFiles, actors: usize, embedded: bool) -> usize {
    let per_connection: u64 = if embedded { 2 } else { 1 };
    let per_job = (2 * actors as u64 + 1) * per_connection;
    let usable = files.soft.saturating_sub(RESERVED_FILES);
    usize::try_from(usable / per_job).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::load_str;
    use crate::target::{Login, LoginPool, Secret};

    fn scenarios(count: usize) -> Vec<LoadedScenario> {
        (0..count)
            .map(|i| {
                let text = format!(
                    "name: s{i}\nactors: [agent1, agent2]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n"
                );
                load_str(Path::new("t.yaml"), text).expect("loads")
            })
            .collect()
    }

    fn settings(agent1_users: usize) -> TargetSettings {
        let mut settings = TargetSettings::defaults(Secret::new("pw"));
        let logins = (0..agent1_users)
            .map(|i| Login {
                user: format!("a{i}"),
                password: Secret::new("pw"),
            })
            .collect();
        if let Some(pool) = LoginPool::new(logins) {
            settings.logins.insert("agent1".to_owned(), pool);
        }
        settings
    }

    const PLENTY: OpenFiles = OpenFiles::UNLIMITED;

    #[test]
    fn the_default_is_for_waiting_work_and_the_embedded_server_sets_no_pool_bound() {
        let plan = decide_jobs(None, &scenarios(500), &settings(0), true, PLENTY);
        assert_eq!(
            plan,
            JobsPlan {
                jobs: DEFAULT_JOBS,
                notes: vec![]
            }
        );
        let few = decide_jobs(None, &scenarios(4), &settings(0), true, PLENTY);
        assert_eq!(few.jobs, 4, "no more slots than scenarios");
    }

    #[test]
    fn against_a_target_the_default_is_the_smallest_pool_and_more_jobs_share_users() {
        let plan = decide_jobs(None, &scenarios(500), &settings(8), false, PLENTY);
        assert_eq!(plan.jobs, 1, "agent2 has no pool: it logs in as itself");
        assert_eq!(
            plan.notes,
            [JobsNote::BoundedByPool {
                jobs: 1,
                actor: "agent2".to_owned()
            }]
        );
        let asked = decide_jobs(Some(16), &scenarios(500), &settings(8), false, PLENTY);
        assert_eq!(asked.jobs, 16);
        assert_eq!(
            asked.notes,
            [JobsNote::SharedUsers {
                jobs: 16,
                actor: "agent2".to_owned(),
                users: 1
            }]
        );
    }

    #[test]
    fn the_open_file_limit_caps_jobs_and_says_so() {
        let files = OpenFiles {
            soft: 1024,
            hard: 1024,
        };
        let plan = decide_jobs(Some(512), &scenarios(1000), &settings(0), true, files);
        // Two actors: (2 × 2 + 1) connections of two descriptors each per job.
        assert_eq!(plan.jobs, (1024 - 64) / 10);
        assert_eq!(
            plan.notes,
            [JobsNote::CappedByOpenFiles {
                wanted: 512,
                jobs: 96,
                soft: 1024,
                hard: 1024
            }]
        );
        let tiny = OpenFiles { soft: 10, hard: 10 };
        assert_eq!(decide_jobs(None, &scenarios(3), &settings(0), true, tiny).jobs, 1);
    }
}
