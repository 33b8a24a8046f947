//! HTML output: the run report of `verify --report-html DIR` and the HTML reference pages of
//! `docs --format html`. Every page is self-contained — styles inline, diagrams inline SVG
//! (`report::swimlane`), no script, nothing fetched — so a directory of them opens from disk.

mod docs;
mod markup;
mod run;
mod sink;

pub use docs::{docs_index_html, docs_page_html, page_swimlane};
pub use markup::escape;
pub use run::{run_report_html, scenario_swimlane};
pub use sink::{HtmlSink, REPORT_PAGE, ReportDir};
