//! Reference pages (`gws-contract docs`): one page per scenario in the manner of the
//! vendor's documentation — request, response, each actor's notifications in order — taken
//! from the scenario and its golden, with a sequence diagram and which fields are contract.
//!
//! `page` gathers a page's content; `markdown` and `mermaid` render it; `site` lays
//! the pages out as files, writes them and checks a committed copy.

mod fields;
mod index;
mod markdown;
mod mermaid;
mod page;
mod readable;
mod site;

pub use fields::FieldRow;
pub use index::{Entry, Index, build_index};
pub use markdown::{contract_count, index_markdown, page_markdown};
pub use mermaid::{DiagramProblem, check_sequence_diagram, sequence_diagram};
pub use page::{
    Action, GivenPage, NotificationPage, Page, Reply, StepPage, Stream, build_page, notification_title,
};
pub use readable::{Contract, HOST, compact, contract_sample, describe, pretty, readable, readable_text};
pub use site::{
    DocSource, DocsError, DocsFormat, DocsWritten, GENERATED_MARK, Links, Stale, Staleness, page_path,
    render_docs, render_docs_check, render_docs_written, stale_docs, write_docs,
};
