//! The pieces every HTML page shares: escaping, the page shell and its style sheet.
//!
//! The style sheet is written for two widths: a laptop (1280 px: tables and diagrams at full
//! size) and a phone (375 px: the page itself never scrolls sideways; wide tables, code and
//! diagrams scroll inside their own boxes).

use std::fmt::Write as _;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A whole page: doctype, a comment (`mark`), head with the style sheet, and `body` inside
/// `<main>`.
pub(super) fn page(title: &str, mark: &str, body: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<!-- {} -->\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(mark).replace("--", "- -"),
        escape(title)
    );
    out
}

/// A table inside a box that scrolls sideways when the table is wider than the screen.
pub(super) fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    table_with_class("", head, rows)
}

/// A table whose cells never wrap (short values; the box scrolls instead).
pub(super) fn nowrap_table(head: &[&str], rows: &[Vec<String>]) -> String {
    table_with_class(" class=\"nowrap\"", head, rows)
}

fn table_with_class(class: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("<div class=\"scroll\"><table{class}>\n");
    // A table of facts (label, value) has no heading row.
    if head.iter().any(|h| !h.is_empty()) {
        out.push_str("<thead><tr>");
        for h in head {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// Preformatted text (escaped); lines of a unified diff get classes for colour.
pub(super) fn pre(text: &str, diff: bool) -> String {
    let mut out = String::from("<pre>");
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let class = if !diff {
            None
        } else if trimmed.starts_with("@@") {
            Some("hunk")
        } else if trimmed.starts_with('-') && !trimmed.starts_with("--") {
            Some("del")
        } else if trimmed.starts_with('+') && !trimmed.starts_with("++") {
            Some("add")
        } else {
            None
        };
        match class {
            Some(class) => {
                let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(line));
            }
            None => out.push_str(&escape(line)),
        }
    }
    out.push_str("</pre>\n");
    out
}

/// Inline code.
pub(super) fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

const STYLE: &str = "\
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1f2937; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 12px 16px 48px; }
h1 { font-size: 1.55rem; margin: 0.6em 0 0.4em; }
h2 { font-size: 1.25rem; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #e5e7eb; }
h3 { font-size: 1.08rem; margin: 1.3em 0 0.4em; }
h4 { font-size: 1rem; margin: 1.1em 0 0.3em; }
h1, h2, h3, h4, p, li { overflow-wrap: anywhere; }
a { color: #1d4ed8; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86rem; }
pre { background: #f6f8fa; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 10px; overflow-x: auto; margin: 6px 0 12px; }
pre .del { color: #b91c1c; } pre .add { color: #15803d; } pre .hunk { color: #0e7490; }
.scroll { overflow-x: auto; max-width: 100%; margin: 6px 0 12px; }
table { border-collapse: collapse; min-width: 60%; }
th, td { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: #f3f4f6; }
table.nowrap td, table.nowrap th { white-space: nowrap; overflow-wrap: normal; }
.diagram { overflow-x: auto; max-width: 100%; border: 1px solid #e5e7eb; border-radius: 6px; margin: 8px 0 14px; background: #fff; }
.diagram svg { display: block; }
.verdict { font-weight: 600; white-space: nowrap; }
.verdict.passed { color: #166534; } .verdict.failed { color: #b91c1c; } .verdict.error { color: #7e22ce; }
.verdict.skipped, .verdict.interrupted, .verdict.not-run { color: #92400e; }
.failure, .drift, .note-block { border-left: 4px solid #c62828; padding: 2px 0 2px 12px; margin: 10px 0 16px; }
.drift { border-color: #d97706; } .note-block { border-color: #9ca3af; }
.muted { color: #6b7280; }
:target { outline: 3px solid #f59e0b; outline-offset: 3px; }
svg.swimlane .lifeline { stroke: #9ca3af; stroke-dasharray: 4 4; }
svg.swimlane .head { fill: #eef2ff; stroke: #6366f1; }
svg.swimlane .server .head { fill: #ecfdf5; stroke: #059669; }
svg.swimlane .name { font-weight: 600; fill: #111827; }
svg.swimlane .arrow { stroke: #4b5563; stroke-width: 1.4; }
svg.swimlane .dashed { stroke-dasharray: 5 3; }
svg.swimlane .label { fill: #111827; }
svg.swimlane .time { fill: #6b7280; }
svg.swimlane .mark.notification { fill: #2563eb; stroke: #fff; stroke-width: 1.5; }
svg.swimlane .note-box { fill: #fef9c3; stroke: #ca8a04; }
svg.swimlane .failed .arrow { stroke: #c62828; stroke-width: 2; }
svg.swimlane .failed .label { fill: #c62828; font-weight: 600; }
svg.swimlane .failed .mark.notification { fill: #c62828; }
svg.swimlane .mark.missing { stroke: #c62828; stroke-width: 2.5; fill: none; }
svg.swimlane a.to-diff:hover .label, svg.swimlane a.to-diff:focus .label { text-decoration: underline; }
";
