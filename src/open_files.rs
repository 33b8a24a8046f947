//! The process's open-file limit. Every parallel scenario holds connections (a long-poll and a
//! request per actor, and with the embedded server their other ends too), so `--jobs` in the
//! hundreds needs more descriptors than the usual soft limit of 1024. The soft limit is raised
//! as far as the hard limit allows; what remains bounds `--jobs` (see `suite::jobs`).

/// The open-file limits after [`raise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFiles {
    /// The limit in force.
    pub soft: u64,
    /// The most it can be raised to without privileges.
    pub hard: u64,
}

impl OpenFiles {
    /// No limit worth speaking of (platforms without one).
    pub const UNLIMITED: OpenFiles = OpenFiles {
        soft: u64::MAX,
        hard: u64::MAX,
    };
}

/// Raises the soft open-file limit to the hard one and returns both. Where the limit cannot be
/// read, it is taken as unlimited; where it cannot be raised, the current one stays.
pub fn raise() -> OpenFiles {
    #[cfg(unix)]
    {
        let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
            return OpenFiles::UNLIMITED;
        };
        let soft = match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(soft) => soft,
            Err(_) => rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(u64::MAX, |(soft, _)| soft),
        };
        OpenFiles { soft, hard }
    }
    #[cfg(not(unix))]
    {
        OpenFiles::UNLIMITED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_one() {
        let limits = raise();
        assert!(limits.soft <= limits.hard, "{limits:?}");
        #[cfg(unix)]
        assert_eq!(
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .map(|(soft, _)| soft)
                .ok(),
            Some(limits.soft)
        );
    }
}
