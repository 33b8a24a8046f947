//! Orchestration of each command: load → run → report → exit code. Owns the tokio runtime.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use crate::cli::{
    AcceptConfig, CheckConfig, Command, CompareConfig, DocsConfig, GoldenDir, Invocation, ProxyConfig,
    RecordConfig, ReplayConfig, RunConfig, ServeConfig, TargetChoice, VerifyConfig,
};
use crate::error::{Error, Exit, InfraError, UsageError};
use crate::golden::{GoldenError, GoldenStore, accept_pending, compare_dirs};
use crate::open_files;
use crate::proxy::{Proxy, RecordError, assemble, load_rules, write_recording};
use crate::report::docs::{self, DocSource, render_docs, stale_docs, write_docs};
use crate::report::html::{HtmlSink, ReportDir};
use crate::report::{
    self, GithubSink, GitlabSink, JsonSink, JunitSink, ProgressSink, ReportFile, Sink, Sinks, TerminalSink,
};
use crate::runner::{RunControl, RunError, RunOptions, no_events};
use crate::scenario::{LoadedScenario, discover, load_all, scenario_schema_json};
use crate::server::{Fault, Library, LibraryError, ReferenceServer, ReplayOptions, ReplayServer};
use crate::suite::{
    Endpoint, GoldenChange, JobsPlan, RecordReport, RecordSettings, SuiteError, UnreferencedPolicy,
    VerifySettings, decide_jobs, record, verify,
};
use crate::verdict::{ScenarioOutcome, Verdict};

pub use crate::report::SharedWriter;

/// Runs a validated command, writing its report to `out` (in colour only if `color`) and
/// errors to `err`.
pub fn run_with(invocation: Invocation, out: &SharedWriter, err: &SharedWriter) -> Exit {
    let out = if invocation.color {
        Arc::clone(out)
    } else {
        report::plain(out)
    };
    run(invocation.command, &out, err)
}

/// Runs a validated command, writing its report to `out` and errors to `err`.
pub fn run(command: Command, out: &SharedWriter, err: &SharedWriter) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            write_err(err, &format!("error: {}", InfraError::Runtime(e)));
            return Exit::Infrastructure;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Verify(config) => verify_command(config, out, err).await,
            Command::Record(config) => record_command(config, out, err).await,
            Command::Accept(config) => accept_command(&config, out),
            Command::Compare(config) => compare_command(&config, out, err),
            Command::Serve(config) => serve(config, out).await,
            Command::Proxy(config) => proxy_command(config, out).await,
            Command::Replay(config) => replay_command(config, out).await,
            Command::Check(config) => check(&config, out),
            Command::Schema => schema(out),
            Command::Docs(config) => docs_command(&config, out),
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
        Error::Scenario(diagnostics) | Error::Profile(diagnostics) => {
            report::render_diagnostics(&mut *w, diagnostics)
        }
        Error::Suite(SuiteError::Golden(GoldenError::Rules { problems, .. })) => {
            report::render_diagnostics(&mut *w, problems)
        }
        Error::Suite(SuiteError::Goldens(errors)) => {
            errors.iter().try_for_each(|e| writeln!(w, "error: {e}"))
        }
        other => writeln!(w, "error: {other}"),
    };
}

/// Loads every scenario named by `paths`, collecting every problem in every file, including
/// scenario names used by more than one file.
pub fn load_scenarios(paths: &[String]) -> Result<Vec<LoadedScenario>, Error> {
    let files = discover(paths).map_err(UsageError::Discovery)?;
    load_all(&files).map_err(Error::Scenario)
}

/// `check`: loads and validates every scenario file; problems go to stderr (exit 2) via the
/// caller, success is one summary line on stdout.
fn check(config: &CheckConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = report::render_check_ok(&mut *w, scenarios.len());
    Ok(Exit::Passed)
}

/// `schema`: the scenario format's JSON Schema on stdout.
fn schema(out: &SharedWriter) -> Result<Exit, Error> {
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    w.write_all(scenario_schema_json().as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| InfraError::Output {
            what: "schema",
            reason: e.to_string(),
        })?;
    Ok(Exit::Passed)
}

/// `docs`: the reference pages of the scenarios, written to (or checked against) a directory.
fn docs_command(config: &DocsConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    let store = GoldenStore::new(&config.golden);
    let mut sources = Vec::with_capacity(scenarios.len());
    for loaded in &scenarios {
        let golden_file = store.path_for(&loaded.path);
        let golden = store.load(&golden_file).map_err(SuiteError::from)?;
        sources.push(DocSource {
            loaded,
            golden,
            golden_file,
        });
    }
    let files = render_docs(&sources, &config.dir, config.format);
    let failed = |e: docs::DocsError| Error::from(InfraError::from(e));
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    if config.check {
        let stale = stale_docs(&config.dir, &files, config.format).map_err(failed)?;
        let _ = docs::render_docs_check(&mut *w, &config.dir, &stale, files.len());
        return Ok(if stale.is_empty() {
            Exit::Passed
        } else {
            Exit::Failed
        });
    }
    let done = write_docs(&config.dir, &files, config.format).map_err(failed)?;
    let _ = docs::render_docs_written(&mut *w, &config.dir, &done, config.format);
    Ok(Exit::Passed)
}

/// How many scenarios of `scenarios` run at once, decided with the open-file limit raised as
/// far as it goes.
fn jobs(run: &RunConfig, scenarios: &[LoadedScenario]) -> JobsPlan {
    let embedded = matches!(run.target, TargetChoice::Embedded);
    decide_jobs(run.jobs, scenarios, &run.settings, embedded, open_files::raise())
}

/// Says on `err` why a run runs fewer scenarios at once than asked, once it is about to run.
fn say_jobs(plan: &JobsPlan, err: &SharedWriter) {
    if !plan.notes.is_empty() {
        let mut w = err.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_jobs_notes(&mut *w, &plan.notes);
    }
}

/// The endpoint of a run in `slots` job slots: the embedded server (which accepts the run's
/// logins, with a user per slot for each actor), or the external target after a
/// reachability check.
async fn endpoint(run: &RunConfig, scenarios: &[LoadedScenario], slots: usize) -> Result<Endpoint, Error> {
    match &run.target {
        TargetChoice::Embedded => Ok(Endpoint::embedded(run.settings.clone(), scenarios, slots)),
        TargetChoice::External(url) => {
            preflight(url, run.settings.request_timeout).await?;
            Ok(Endpoint::External(Arc::new(
                run.settings.clone().into_target(url.clone()),
            )))
        }
    }
}

/// The directories among the scenario path arguments (unreferenced goldens are looked for
/// below their golden counterparts).
fn scenario_dirs(paths: &[String]) -> Vec<PathBuf> {
    paths.iter().map(PathBuf::from).filter(|p| p.is_dir()).collect()
}

async fn verify_command(config: VerifyConfig, out: &SharedWriter, err: &SharedWriter) -> Result<Exit, Error> {
    let loaded = load_scenarios(&config.run.paths)?;
    let mut selection = config.selection.clone();
    if let Some(previous) = &config.last_failed {
        let failed = last_failures(previous)?;
        if failed.is_empty() {
            let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = report::render_nothing_to_rerun(&mut *w, previous);
            return Ok(Exit::Passed);
        }
        selection = selection.only(failed);
    }
    let selected = selection.apply(loaded);
    if config.list {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_list(&mut *w, &selected.chosen);
        let _ = w.flush();
        return Ok(Exit::Passed);
    }
    if selection.narrows() && selected.matched == 0 {
        return Err(UsageError::NothingSelected.into());
    }
    let scenarios = selected.chosen;
    // Report files are checked before anything runs, not after a long run.
    let sinks = build_sinks(&config, out, err, scenarios.len())?;
    let (goldens, golden_notice) = match &config.run.golden {
        GoldenDir::Given(dir) => (Some(GoldenStore::new(dir)), None),
        GoldenDir::Reference(dir) if dir.is_dir() => (Some(GoldenStore::new(dir)), None),
        GoldenDir::Reference(dir) => (
            None,
            Some(format!(
                "none ({} does not exist); checked the inline contract only",
                dir.display()
            )),
        ),
        GoldenDir::None => (
            None,
            Some(
                "none for this target (give --golden DIR or the profile's `golden`); checked the inline contract only"
                    .to_owned(),
            ),
        ),
    };
    let jobs = jobs(&config.run, &scenarios);
    let settings = VerifySettings {
        jobs: jobs.jobs,
        options: RunOptions::default(),
        goldens,
        golden_notice,
        fail_on: config.fail_on,
        write_pending: config.write_pending,
        unreferenced: config.unreferenced,
        scenario_dirs: scenario_dirs(&config.run.paths),
        coverage: config.coverage,
        left_out: selected.left_out.iter().map(|s| s.path.clone()).collect(),
        fail_fast: config.fail_fast,
    };
    let endpoint = endpoint(&config.run, &scenarios, jobs.jobs).await?;
    let opened = endpoint.open().await?;
    say_jobs(&jobs, err);
    let control = RunControl::default();
    let watcher = tokio::spawn(interrupt_on_ctrl_c(control.clone()));
    let result = verify(
        scenarios,
        Arc::clone(&opened.target),
        &settings,
        sinks,
        control.clone(),
    )
    .await;
    watcher.abort();
    opened.close().await;
    let report = match result {
        Ok(report) => report,
        Err(SuiteError::Report(e)) => {
            // The run finished and the terminal report was printed; only a file failed.
            write_err(err, &format!("error: {e}"));
            return Ok(Exit::Infrastructure);
        }
        Err(e) => return Err(e.into()),
    };
    if control.is_interrupted() {
        return Ok(Exit::Interrupted);
    }
    let mut exit = run_exit(&report.outcomes);
    if config.unreferenced == UnreferencedPolicy::Fail
        && !report.unreferenced.is_empty()
        && exit == Exit::Passed
    {
        exit = Exit::Failed;
    }
    Ok(exit)
}

/// Every sink the run reports to, file sinks checked for writability first (exit 3 before
/// anything runs). The progress bar goes first so it is cleared before the summary, and the
/// CI lines last, after it.
fn build_sinks(
    config: &VerifyConfig,
    out: &SharedWriter,
    err: &SharedWriter,
    count: usize,
) -> Result<Sinks, Error> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    let mut files: Vec<Box<dyn Sink>> = Vec::new();
    let on_stdout = |path: &Option<PathBuf>| path.as_deref() == Some(Path::new("-"));
    if on_stdout(&config.report_json) && on_stdout(&config.junit) {
        return Err(UsageError::Conflict(
            "--report-json - and --junit - both ask for standard output; give one of them a file",
        )
        .into());
    }
    // A report on standard output keeps it clean: the terminal report goes to stderr.
    // (Colour was decided for stdout, so the report on stderr is plain.)
    let plain_err = report::plain(err);
    let human = if on_stdout(&config.report_json) || on_stdout(&config.junit) {
        &plain_err
    } else {
        out
    };
    if let Some(path) = &config.report_json {
        let file = ReportFile::prepare("JSON report", path, out).map_err(SuiteError::from)?;
        files.push(Box::new(JsonSink::new(file)));
    }
    if let Some(path) = &config.junit {
        let file = ReportFile::prepare("JUnit report", path, out).map_err(SuiteError::from)?;
        files.push(Box::new(JunitSink::new(file)));
    }
    if let Some(dir) = &config.report_html {
        let dir = ReportDir::prepare("HTML report", dir).map_err(SuiteError::from)?;
        files.push(Box::new(HtmlSink::new(dir)));
    }
    // The record for a later `--last-failed` was not asked for: it is skipped, not an
    // error, where it cannot be written.
    if let Some(path) = config
        .last_run
        .as_ref()
        .filter(|p| config.report_json.as_ref() != Some(*p))
        && let Ok(file) = ReportFile::prepare("last-run record", path, out)
    {
        files.push(Box::new(JsonSink::last_run(file)));
    }
    let progress = (config.output.progress && count > 0).then(|| ProgressSink::new(count));
    let bar = progress.as_ref().map(ProgressSink::bar);
    if let Some(progress) = progress {
        sinks.push(Box::new(progress));
    }
    sinks.push(Box::new(
        TerminalSink::new(Arc::clone(human), count)
            .with_verbosity(config.output.verbosity)
            .with_progress(bar),
    ));
    if config.output.github {
        sinks.push(Box::new(GithubSink::new(Arc::clone(human))));
    }
    if config.output.gitlab {
        sinks.push(Box::new(GitlabSink::new(Arc::clone(human), config.junit.clone())));
    }
    sinks.append(&mut files);
    Ok(Sinks::new(sinks))
}

/// The scenarios that failed or errored in the previous run's JSON report.
fn last_failures(path: &std::path::Path) -> Result<std::collections::BTreeSet<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| UsageError::LastFailed {
        problem: format!(
            "cannot read the previous run's report {}: {e} (it is written by `verify` outside CI, or by \
             --report-json)",
            path.display()
        ),
    })?;
    report::failed_in_report(&text).map_err(|reason| {
        UsageError::LastFailed {
            problem: format!("{}: {reason}", path.display()),
        }
        .into()
    })
}

/// The exit code of a run: a broken target (3) outranks a scenario the target refused as
/// written (2), which outranks failed expectations (1).
fn run_exit(outcomes: &[ScenarioOutcome]) -> Exit {
    let errors: Vec<&RunError> = outcomes.iter().filter_map(|o| o.error.as_ref()).collect();
    if errors.iter().any(|e| e.is_target()) {
        Exit::Infrastructure
    } else if !errors.is_empty() {
        Exit::Usage
    } else if outcomes.iter().any(|o| o.verdict == Verdict::Failed) {
        Exit::Failed
    } else {
        Exit::Passed
    }
}

async fn record_command(config: RecordConfig, out: &SharedWriter, err: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.run.paths)?;
    let store = match &config.run.golden {
        GoldenDir::Given(dir) | GoldenDir::Reference(dir) => GoldenStore::new(dir),
        GoldenDir::None => {
            return Err(UsageError::NoGoldenDirectory.into());
        }
    };
    let jobs = jobs(&config.run, &scenarios);
    let settings = RecordSettings {
        jobs: jobs.jobs,
        options: RunOptions::default(),
        store,
        runs: config.runs,
        accept_rules: config.accept_rules,
    };
    let endpoint = endpoint(&config.run, &scenarios, jobs.jobs).await?;
    say_jobs(&jobs, err);
    let control = RunControl::default();
    let watcher = tokio::spawn(interrupt_on_ctrl_c(control.clone()));
    let report = record(scenarios, &endpoint, &settings, no_events(), control.clone()).await;
    watcher.abort();
    let report = report?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_recorded(&mut *w, &report);
        let _ = w.flush();
    }
    if control.is_interrupted() {
        return Ok(Exit::Interrupted);
    }
    Ok(record_exit(&report))
}

/// The first Ctrl-C interrupts the run (running scenarios stop and tear down their states,
/// reports are still written); a second one exits at once.
async fn interrupt_on_ctrl_c(control: RunControl) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    control.interrupt();
    if tokio::signal::ctrl_c().await.is_ok() {
        std::process::exit(Exit::Interrupted as i32);
    }
}

fn record_exit(report: &RecordReport) -> Exit {
    let outcomes: Vec<ScenarioOutcome> = report.goldens.iter().map(|g| g.outcome.clone()).collect();
    let exit = run_exit(&outcomes);
    let not_recorded = report
        .goldens
        .iter()
        // A scenario the target lacks a `requires:` feature for is skipped, not a failure.
        .any(|g| {
            matches!(g.change, GoldenChange::NotRecorded { .. }) && g.outcome.verdict != Verdict::Skipped
        });
    if exit == Exit::Passed && (not_recorded || !report.not_run.is_empty()) {
        Exit::Failed
    } else {
        exit
    }
}

fn accept_command(config: &AcceptConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    let store = GoldenStore::new(&config.golden);
    let mut accepted = Vec::new();
    let mut targets: Vec<PathBuf> = scenarios.iter().map(|s| store.path_for(&s.path)).collect();
    targets.push(store.rules_path());
    for path in targets {
        if accept_pending(&path).map_err(SuiteError::from)? {
            accepted.push(path);
        }
    }
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = report::render_accepted(&mut *w, &accepted);
    Ok(Exit::Passed)
}

fn compare_command(config: &CompareConfig, out: &SharedWriter, err: &SharedWriter) -> Result<Exit, Error> {
    for dir in [&config.a, &config.b] {
        if !dir.is_dir() {
            return Err(UsageError::Path {
                path: dir.clone(),
                problem: "is not a golden directory",
            }
            .into());
        }
    }
    let file = match &config.report_json {
        Some(path) => Some(ReportFile::prepare("JSON comparison", path, out).map_err(SuiteError::from)?),
        None => None,
    };
    // The JSON on standard output keeps it clean: the text goes to stderr.
    let out = if config.report_json.as_deref() == Some(Path::new("-")) {
        err
    } else {
        out
    };
    let comparison = compare_dirs(&config.a, &config.b).map_err(SuiteError::from)?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_compare(&mut *w, &comparison);
        let _ = w.flush();
    }
    if let Some(file) = file {
        let mut text = serde_json::to_string_pretty(&comparison).map_err(|e| InfraError::Output {
            what: "comparison",
            reason: e.to_string(),
        })?;
        text.push('\n');
        file.write(text.as_bytes()).map_err(SuiteError::from)?;
    }
    Ok(if comparison.differs() {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

/// Fails fast, with one line, when the target cannot be reached at all (within the request
/// timeout, like every other request).
async fn preflight(url: &url::Url, timeout: std::time::Duration) -> Result<(), Error> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| InfraError::Client(e.to_string()))?;
    match client.get(url.clone()).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err(InfraError::Unreachable {
            url: url.to_string(),
            cause: crate::error_chain::root_cause(&e),
        }
        .into()),
    }
}

async fn serve(config: ServeConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let users: Vec<String> = config.server.users.iter().map(|(name, _)| name.clone()).collect();
    let csrf = config.server.csrf;
    let server = ReferenceServer::start(config.addr, config.server)
        .await
        .map_err(|source| InfraError::Listen {
            addr: config.addr,
            source,
        })?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_serve_banner(&mut *w, &server.url(), &users, csrf);
        let _ = w.flush();
    }
    wait_for_stop_signal().await;
    server.shutdown().await;
    Ok(Exit::Passed)
}

/// `proxy`: forwards until a signal (or `--duration`), then writes the recording.
async fn proxy_command(config: ProxyConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let record_error = |e: RecordError| match e {
        RecordError::Golden(e) => Error::Suite(SuiteError::Golden(e)),
        other => InfraError::Recording(other).into(),
    };
    // A broken rules file is reported before any traffic is recorded, not after.
    let rules = load_rules(&config.golden).map_err(record_error)?;
    let proxy = Proxy::start(config.listen, config.target.clone())
        .await
        .map_err(InfraError::from)?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_proxy_banner(
            &mut *w,
            &proxy.url(),
            config.target.as_str(),
            &config.out,
            config.duration,
        );
        let _ = w.flush();
    }
    match config.duration {
        Some(duration) => {
            tokio::select! {
                () = wait_for_stop_signal() => {}
                () = tokio::time::sleep(duration) => {}
            }
        }
        None => wait_for_stop_signal().await,
    }
    let traffic = proxy.stop();
    let recording = assemble(&traffic, &config.record);
    let written = write_recording(&recording, &config.out, &config.golden, &rules).map_err(record_error)?;
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = report::render_recording(&mut *w, &written);
    let _ = w.flush();
    Ok(Exit::Passed)
}

/// `serve --replay DIR`: plays the goldens back until a signal.
async fn replay_command(config: ReplayConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let library = Library::load(&config.dir).map_err(|e| match e {
        e @ LibraryError::Golden(GoldenError::Io { .. }) => Error::from(InfraError::Replay(e)),
        other => UsageError::Replay(other).into(),
    })?;
    let options = ReplayOptions { csrf: config.csrf };
    let server = ReplayServer::start_with(config.addr, library, options)
        .await
        .map_err(|source| InfraError::Listen {
            addr: config.addr,
            source,
        })?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_replay_banner(&mut *w, &server.url(), &config.dir, &server.scenarios());
        let _ = w.flush();
    }
    wait_for_stop_signal().await;
    server.shutdown().await;
    Ok(Exit::Passed)
}

fn list_faults(out: &SharedWriter) -> Result<Exit, Error> {
    let faults: Vec<(&str, &str)> = Fault::ALL.iter().map(|f| (f.name(), f.description())).collect();
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    report::render_fault_list(&mut *w, &faults).map_err(|e| InfraError::Output {
        what: "fault list",
        reason: e.to_string(),
    })?;
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
