//! The progress bar on a terminal's stderr: scenarios done of all, failures so far, and the
//! scenario that has been running longest. It is only made when stderr is a terminal (decided
//! in `cli`); the terminal sink hides it while printing so neither garbles the other.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::sink::{ReportEvent, RunReport, Sink, SinkError};
use crate::runner::RunEvent;
use crate::verdict::Verdict;

/// Keeps the bar up to date.
pub struct ProgressSink {
    bar: ProgressBar,
    state: Arc<Mutex<Running>>,
}

/// What the bar's status shows, shared with its drawing (which runs on every tick, so the
/// slowest scenario's time keeps counting between events).
#[derive(Default)]
struct Running {
    scenarios: BTreeMap<usize, (String, Instant)>,
    failed: usize,
}

impl Running {
    fn status(&self) -> String {
        let now = Instant::now();
        let slowest = self
            .scenarios
            .values()
            .map(|(name, started)| (name.as_str(), now.duration_since(*started)))
            .max_by_key(|(_, elapsed)| *elapsed);
        progress_message(self.failed, slowest)
    }
}

impl ProgressSink {
    /// A bar for `count` scenarios on stderr.
    pub fn new(count: usize) -> Self {
        let state = Arc::new(Mutex::new(Running::default()));
        let shown = Arc::clone(&state);
        let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {pos}/{len} scenarios [{bar:30}] {status}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("status", move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&shown.lock().unwrap_or_else(PoisonError::into_inner).status());
            })
            .progress_chars("=> ");
        bar.set_style(style);
        // Redraws between events, so a long scenario's time counts and it does not look hung.
        bar.enable_steady_tick(Duration::from_millis(250));
        ProgressSink { bar, state }
    }

    /// The bar, for the terminal sink to hide while it prints.
    pub fn bar(&self) -> ProgressBar {
        self.bar.clone()
    }
}

/// `2 failed · slowest running: complete (3.2 s)`.
pub fn progress_message(failed: usize, slowest: Option<(&str, Duration)>) -> String {
    let mut message = format!("{failed} failed");
    if let Some((name, elapsed)) = slowest {
        let _ = write!(
            message,
            " · slowest running: {name} ({:.1} s)",
            elapsed.as_secs_f64()
        );
    }
    message
}

impl Sink for ProgressSink {
    fn event(&mut self, event: ReportEvent<'_>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            ReportEvent::Run(RunEvent::ScenarioStarted { index, name }) => {
                state.scenarios.insert(*index, (name.clone(), Instant::now()));
            }
            ReportEvent::ScenarioFinished { index, outcome } => {
                state.scenarios.remove(&index);
                if outcome.verdict != Verdict::Passed {
                    state.failed += 1;
                }
                drop(state);
                self.bar.inc(1);
            }
            ReportEvent::Run(_) => {}
        }
    }

    fn finish(&mut self, _report: &RunReport) -> Result<(), SinkError> {
        self.bar.finish_and_clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_failures_and_the_slowest_running_scenario() {
        assert_eq!(progress_message(0, None), "0 failed");
        assert_eq!(
            progress_message(2, Some(("complete", Duration::from_millis(3240)))),
            "2 failed · slowest running: complete (3.2 s)"
        );
    }
}
