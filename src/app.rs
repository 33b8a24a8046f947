//! Orchestration of each command: load → run → report → exit code. Owns the tokio runtime.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::cli::{Command, ServeConfig, TargetChoice, VerifyConfig};
use crate::error::{Error, Exit};
use crate::report;
use crate::runner::{RunEvent, RunOptions, Verdict, run_all};
use crate::scenario::{Diagnostic, LoadedScenario, SourcePos, discover, load_file};
use crate::server::{Fault, ReferenceServer, ServerConfig};
use crate::target::Target;

/// A writer shared between the run and its live reporter.
pub type SharedWriter = Arc<Mutex<dyn Write + Send>>;

/// Runs a validated command, writing its report to `out` and errors to `err`.
pub fn run(command: Command, out: &SharedWriter, err: &SharedWriter) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            write_err(err, &format!("error: cannot start the async runtime: {e}"));
            return Exit::Infrastructure;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Verify(config) => verify(config, out).await,
            Command::Serve(config) => serve(config, out).await,
            Command::ListFaults => list_faults(out),
        }
    });
    match result {
        Ok(exit) => exit,
        Err(error) => {
            report_error(err, &error);
            error.exit_code()
        }
    }
}

fn write_err(err: &SharedWriter, text: &str) {
    let mut w = err.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = writeln!(w, "{text}");
}

/// Renders a top-level error.
pub fn report_error(err: &SharedWriter, error: &Error) {
    let mut w = err.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = match error {
        Error::Scenario(diagnostics) => report::render_diagnostics(&mut *w, diagnostics),
        other => writeln!(w, "error: {other}"),
    };
}

/// Loads every scenario named by `paths`, collecting every problem in every file, including
/// scenario names used by more than one file.
pub fn load_scenarios(paths: &[String]) -> Result<Vec<LoadedScenario>, Error> {
    let files = discover(paths).map_err(Error::Usage)?;
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match load_file(&file) {
            Ok(scenario) => loaded.push(scenario),
            Err(mut diagnostics) => problems.append(&mut diagnostics),
        }
    }
    let mut seen: BTreeMap<String, &LoadedScenario> = BTreeMap::new();
    for scenario in &loaded {
        if let Some(first) = seen.get(&scenario.name) {
            let pos = scenario.scenario.name.as_ref().map_or(
                SourcePos {
                    file: scenario.path.clone(),
                    line: 0,
                    column: 0,
                },
                |n| SourcePos::from_location(&scenario.path, &n.referenced),
            );
            problems.push(
                Diagnostic::new(
                    pos,
                    format!("duplicate scenario name `{}`", scenario.name),
                    Some(&scenario.text),
                )
                .with_help(format!(
                    "`{}` is also the name of {}",
                    scenario.name,
                    first.path.display()
                )),
            );
        } else {
            seen.insert(scenario.name.clone(), scenario);
        }
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(Error::Scenario(problems))
    }
}

async fn verify(config: VerifyConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    let (server, base) = match &config.target {
        TargetChoice::Embedded => {
            let addr = SocketAddr::from(([127, 0, 0, 1], 0));
            let server = ReferenceServer::start(addr, ServerConfig::default())
                .await
                .map_err(|e| Error::Infrastructure(format!("cannot start the reference server: {e}")))?;
            let url = url::Url::parse(&server.url())
                .map_err(|e| Error::Infrastructure(format!("reference server URL: {e}")))?;
            (Some(server), url)
        }
        TargetChoice::External(url) => {
            preflight(url).await?;
            (None, url.clone())
        }
    };
    let target = Arc::new(Target::with_defaults(base, config.default_password.clone()));
    let reporter = Arc::clone(out);
    let on_event = Arc::new(move |event: &RunEvent| {
        if let RunEvent::ScenarioFinished(outcome) = event {
            let mut w = reporter.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = report::render_scenario_line(&mut *w, outcome);
            if outcome.verdict != Verdict::Passed {
                let _ = report::render_failure_details(&mut *w, outcome);
            }
        }
    });
    let outcome = run_all(scenarios, target, RunOptions::default(), config.jobs, on_event).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_summary(&mut *w, &outcome.scenarios);
    }
    let verdicts: Vec<Verdict> = outcome.scenarios.iter().map(|s| s.verdict).collect();
    Ok(if verdicts.contains(&Verdict::Error) {
        Exit::Infrastructure
    } else if verdicts.contains(&Verdict::Failed) {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

/// Fails fast, with one line, when the target cannot be reached at all.
async fn preflight(url: &url::Url) -> Result<(), Error> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| Error::Infrastructure(format!("cannot build HTTP client: {e}")))?;
    match client.get(url.clone()).send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause = s.to_string();
                source = s.source();
            }
            Err(Error::Infrastructure(format!(
                "cannot reach target {url}: {cause}"
            )))
        }
    }
}

async fn serve(config: ServeConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let users: Vec<String> = config.server.users.iter().map(|(name, _)| name.clone()).collect();
    let csrf = config.server.csrf;
    let server = ReferenceServer::start(config.addr, config.server)
        .await
        .map_err(|e| Error::Infrastructure(format!("cannot listen on {}: {e}", config.addr)))?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_serve_banner(&mut *w, &server.url(), &users, csrf);
        let _ = w.flush();
    }
    wait_for_stop_signal().await;
    server.shutdown().await;
    Ok(Exit::Passed)
}

fn list_faults(out: &SharedWriter) -> Result<Exit, Error> {
    let faults: Vec<(&str, &str)> = Fault::ALL.iter().map(|f| (f.name(), f.description())).collect();
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    report::render_fault_list(&mut *w, &faults)
        .map_err(|e| Error::Infrastructure(format!("cannot write the fault list: {e}")))?;
    Ok(Exit::Passed)
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
