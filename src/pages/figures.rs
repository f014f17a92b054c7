//! `/figures`: the centre's figures, counted offline from the records on this phone, as charts
//! (inline SVG drawn here, each with its numbers as a table) and a monthly report to print and
//! send on.

use crate::browser::today;
use crate::camps::register;
use crate::components::alert;
use crate::export::{camps_csv, cases_csv};
use crate::i18n::{
    Lang, Text, choice_label, field_label, fill, shown_month, shown_month_short, t, tr, use_lang,
};
use crate::load::load;
use crate::use_store;
use leptos::prelude::*;
use sakhi_domain::account::Role;
use sakhi_domain::figures::{CASE_AGES, Dashboard, Month, MonthFigures, MonthlyReport, Tally};
use sakhi_domain::ids::ExportId;
use sakhi_domain::schema::{ATTENDANCE, CLOSURES, SERVICES, SOURCES, VIOLENCE_KINDS};
use sakhi_domain::wire::account::{ExportKind, ExportNotice};
use sakhi_domain::{Kind, Record};
use std::sync::Arc;

/// One row of a chart: what it counts, in her language, and how many.
type Row = (String, u64);

#[component]
pub fn Figures() -> impl IntoView {
    let store = use_store();
    let status = crate::use_sync_status();
    let records = load(move || {
        status.revision.track();
        let store = store.clone();
        async move { store.records().await.map(Arc::new) }
    });
    let today = today();
    let this_month = Month::of_date(&today)
        .map(|month| month.to_string())
        .unwrap_or_default();
    let (month, set_month) = signal(this_month.clone());

    view! {
        <div class="page-head">
            <h1>{tr(Text::FiguresHeading)}</h1>
        </div>
        <p class="muted">{tr(Text::FiguresFromPhone)}</p>
        {move || {
            records.with(|found| {
                found.as_ref().map(|found| match found {
                    Ok(records) => {
                        let dashboard = Dashboard::of(records, &today);
                        let records = Arc::clone(records);
                        view! {
                            <DashboardView figures=dashboard />
                            <MonthlyReportView records=Arc::clone(&records) month set_month this_month=this_month.clone() />
                            <Export records />
                        }
                            .into_any()
                    }
                    Err(_) => alert(Text::AppStoreFailed).into_any(),
                })
            })
        }}
    }
    .into_any()
}

/// The chosen month's report: a month picker, and the report as tables, printable.
#[component]
fn MonthlyReportView(
    records: Arc<Vec<sakhi_domain::Record>>,
    month: ReadSignal<String>,
    set_month: WriteSignal<String>,
    this_month: String,
) -> impl IntoView {
    let lang = use_lang();
    let max = this_month.clone();
    let report = move || {
        let chosen = month.get();
        match Month::parse(&chosen) {
            None => Err(Text::MonthlyBadMonth),
            Some(_) if chosen > this_month => Err(Text::MonthlyFuture),
            Some(parsed) => Ok(MonthlyReport::of(parsed, &records)),
        }
    };
    view! {
        <section class="report" aria-labelledby="report-heading">
            <h2 id="report-heading">{tr(Text::MonthlyHeading)}</h2>
            <div class="field report-month">
                <label for="report-month">{tr(Text::MonthlyMonth)}</label>
                <input
                    id="report-month"
                    type="month"
                    max=max
                    prop:value=month
                    on:change=move |ev| set_month.set(event_target_value(&ev))
                />
                <button type="button" class="button secondary" on:click=|_| {
                    let _ = window().print();
                }>{tr(Text::MonthlyPrint)}</button>
            </div>
            {move || match report() {
                Err(problem) => view! { <p class="notice problem" role="alert">{tr(problem)}</p> }.into_any(),
                Ok(report) => view! { <ReportTables report lang=lang.get() /> }.into_any(),
            }}
        </section>
    }
}

/// A month's report as the tables a centre sends on.
#[component]
fn ReportTables(report: MonthlyReport, lang: Lang) -> impl IntoView {
    // The centre it is sent on for: the one she works at.
    let centre = crate::unlocked()
        .map(|unlocked| unlocked.worker.centre.clone())
        .unwrap_or_default();
    let shown_month = Month::parse(&report.month)
        .map(|month| shown_month(lang, month))
        .unwrap_or_default();
    let totals = vec![
        (
            t(lang, Text::MonthlyCases).to_owned(),
            report.cases_registered,
        ),
        (
            t(lang, Text::MonthlySessions).to_owned(),
            report.sessions_held,
        ),
        (t(lang, Text::MonthlyCamps).to_owned(), report.camps_held),
        (
            t(lang, Text::MonthlyAttendance).to_owned(),
            report.attendance.values().sum(),
        ),
    ];
    view! {
        <h3 class="report-title">{fill(t(lang, Text::MonthlyFor), "month", &shown_month)}</h3>
        <p class="report-centre">{centre}</p>
        <Table caption=t(lang, Text::MonthlySummary).to_owned() rows=totals />
        <Table caption=t(lang, Text::FiguresByViolence).to_owned() rows=rows(&report.by_violence, VIOLENCE_KINDS, |c| choice_label(lang, "violence", c)) />
        <Table caption=t(lang, Text::FiguresBySource).to_owned() rows=rows(&report.by_source, SOURCES, |c| choice_label(lang, "source", c)) />
        <Table caption=t(lang, Text::FiguresServices).to_owned() rows=rows(&report.services_given, SERVICES, |c| choice_label(lang, "service", c)) />
        <Table caption=t(lang, Text::FiguresClosures).to_owned() rows=rows(&report.closed_by_reason, CLOSURES, |c| choice_label(lang, "closure", c)) />
        <Table caption=t(lang, Text::MonthlyAttendance).to_owned() rows=rows(&report.attendance, ATTENDANCE, |c| field_label(lang, c)) />
    }
}

/// The rows of a tally in the order of `codes`, each named by `name`.
fn rows(tally: &Tally, codes: &[&str], name: impl Fn(&str) -> String) -> Vec<Row> {
    codes
        .iter()
        .map(|code| (name(code), tally.get(*code).copied().unwrap_or(0)))
        .collect()
}

/// A table of counts with a caption.
#[component]
fn Table(caption: String, rows: Vec<Row>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="figures">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    // The corner names nothing: a header cell without words confuses a screen reader.
                    <td></td>
                    <th scope="col">{move || t(lang.get(), Text::FiguresNumber)}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(name, n)| view! {
                        <tr>
                            <th scope="row">{name}</th>
                            <td>{n}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The dashboard: women helped, and each count as a chart with its table.
#[component]
fn DashboardView(figures: Dashboard) -> impl IntoView {
    let lang = use_lang();
    move || {
        let lang = lang.get();
        let figures = figures.clone();
        let helped = [
            (Text::FiguresEver, figures.helped_ever),
            (Text::FiguresThisYear, figures.helped_this_year),
            (Text::FiguresThisMonth, figures.helped_this_month),
        ]
        .map(|(label, n)| {
            view! {
                <div class="stat">
                    <span class="stat-n">{n}</span>
                    <span class="stat-label">{t(lang, label)}</span>
                </div>
            }
        });
        // Each month in words in the table ("November 2026"), and shortened under its column.
        let months: Vec<(Month, &MonthFigures)> = figures
            .months
            .iter()
            .filter_map(|shown| Some((Month::parse(&shown.month)?, shown)))
            .collect();
        let by_month = |count: fn(&MonthFigures) -> u64| -> Vec<Row> {
            months
                .iter()
                .map(|(month, shown)| (shown_month(lang, *month), count(shown)))
                .collect()
        };
        let new_by_month = by_month(|shown| shown.new_cases);
        let camps_by_month = by_month(|shown| shown.camps);
        let attendance_by_month = by_month(|shown| shown.attendance);
        let short: Vec<String> = months
            .iter()
            .map(|(month, _)| shown_month_short(lang, *month))
            .collect();
        let median = figures.median_sessions_to_settlement.map_or_else(
            || t(lang, Text::FiguresNoMedian).to_owned(),
            |median| format!("{median}"),
        );
        view! {
            <section class="dashboard" aria-labelledby="dashboard-heading">
                <h2 id="dashboard-heading">{t(lang, Text::FiguresHelped)}</h2>
                <div class="stats">{helped}</div>
                <Columns caption=t(lang, Text::FiguresNewByMonth).to_owned() rows=new_by_month short=short.clone() />
                <Bars caption=t(lang, Text::FiguresByViolence).to_owned() rows=rows(&figures.by_violence, VIOLENCE_KINDS, |c| choice_label(lang, "violence", c)) />
                <Bars caption=t(lang, Text::FiguresBySource).to_owned() rows=rows(&figures.by_source, SOURCES, |c| choice_label(lang, "source", c)) />
                <Bars caption=t(lang, Text::FiguresServices).to_owned() rows=rows(&figures.services_given, SERVICES, |c| choice_label(lang, "service", c)) />
                <Bars caption=t(lang, Text::FiguresClosures).to_owned() rows=rows(&figures.closed_by_reason, CLOSURES, |c| choice_label(lang, "closure", c)) />
                <Bars caption=t(lang, Text::FiguresOpenByAge).to_owned() rows=rows(&figures.open_by_age, CASE_AGES, |c| choice_label(lang, "case_age", c)) />
                <div class="stats">
                    <div class="stat">
                        <span class="stat-n">{figures.sessions_held}</span>
                        <span class="stat-label">{t(lang, Text::FiguresSessions)}</span>
                    </div>
                    <div class="stat">
                        <span class="stat-n">{median}</span>
                        <span class="stat-label">{t(lang, Text::FiguresMedian)}</span>
                    </div>
                </div>
                <Columns caption=t(lang, Text::FiguresCampsByMonth).to_owned() rows=camps_by_month short=short.clone() />
                <Columns caption=t(lang, Text::FiguresAttendanceByMonth).to_owned() rows=attendance_by_month short />
            </section>
        }
    }
}

/// The chart's numbers as a table, folded away under the chart.
#[component]
fn NumbersBelow(caption: String, rows: Vec<Row>) -> impl IntoView {
    view! {
        <details class="numbers">
            <summary>{tr(Text::FiguresAsTable)}</summary>
            <Table caption rows />
        </details>
    }
}

/// Horizontal bars, one per row, each under its name: long names wrap on a narrow phone.
#[component]
fn Bars(caption: String, rows: Vec<Row>) -> impl IntoView {
    let most = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bars = rows
        .iter()
        .map(|(name, n)| {
            let width = (*n as f64 / most as f64 * 100.0).max(if *n > 0 { 1.0 } else { 0.0 });
            view! {
                <div class="bar">
                    <span class="bar-name">{name.clone()}</span>
                    <span class="bar-line">
                        <svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                            <rect x="0" y="0" width=format!("{width:.1}") height="8" rx="1" />
                        </svg>
                        <span class="bar-n">{*n}</span>
                    </span>
                </div>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{caption.clone()}</figcaption>
            <div aria-hidden="true">{bars}</div>
            <NumbersBelow caption rows />
        </figure>
    }
}

/// Columns, one per month, oldest on the left, each with its count above and its month below:
/// the month's short name (`short`) under the column, in words in the table.
#[component]
fn Columns(caption: String, rows: Vec<Row>, short: Vec<String>) -> impl IntoView {
    const WIDTH: f64 = 240.0;
    const HEIGHT: f64 = 100.0;
    let most = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let step = WIDTH / rows.len().max(1) as f64;
    let columns = rows
        .iter()
        .zip(&short)
        .enumerate()
        .map(|(at, ((_, n), month))| {
            let height = *n as f64 / most as f64 * (HEIGHT - 30.0);
            let x = at as f64 * step;
            let top = HEIGHT - 14.0 - height;
            view! {
                <g>
                    <rect x=format!("{:.1}", x + 2.0) y=format!("{top:.1}") width=format!("{:.1}", step - 4.0) height=format!("{height:.1}") />
                    <text class="col-n" x=format!("{:.1}", x + step / 2.0) y=format!("{:.1}", top - 2.0)>{*n}</text>
                    <text class="col-month" x=format!("{:.1}", x + step / 2.0) y=format!("{:.1}", HEIGHT - 3.0)>{month.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{caption.clone()}</figcaption>
            <svg class="columns" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=caption.clone()>
                {columns}
            </svg>
            <NumbersBelow caption rows />
        </figure>
    }
}

/// Exports of the cases and camps on this phone as CSV files, each told to the audit log.
#[component]
fn Export(records: Arc<Vec<sakhi_domain::Record>>) -> impl IntoView {
    let lang = use_lang();
    let store = use_store();
    let sync = crate::use_sync();
    // Only an administrator may include what names or finds a woman.
    let may_include =
        crate::unlocked().is_some_and(|unlocked| unlocked.role == Role::Administrator);
    let (personal, set_personal) = signal(false);
    // A file is handed out only once the audit log has heard of it: kept first, then downloaded.
    // The value is how many rows the last export held, or its failure.
    let exported = Action::new_local(
        move |(notice, name, csv): &(ExportNotice, String, String)| {
            let (store, sync) = (store.clone(), sync.clone());
            let (notice, name, csv) = (notice.clone(), name.clone(), csv.clone());
            async move {
                let rows = notice.rows;
                let kept = crate::export::remember(&store, notice).await.is_ok();
                let handed =
                    kept && crate::browser::download(&name, "text/csv;charset=utf-8", &csv).is_ok();
                if kept {
                    sync.send_soon();
                }
                if handed { Ok(rows) } else { Err(()) }
            }
        },
    );
    let done = move || exported.value().get().and_then(Result::ok);
    let failed = move || exported.value().get().is_some_and(|result| result.is_err());
    let export = move |what: ExportKind| {
        let lang = lang.get_untracked();
        // A camp names no woman: only a cases export can hold what names or finds her.
        let personal = what == ExportKind::Cases && may_include && personal.get_untracked();
        let cases: Vec<Record> = records
            .iter()
            .filter(|r| r.kind == Kind::Case)
            .cloned()
            .collect();
        let camps: Vec<Record> = register(
            records
                .iter()
                .filter(|r| r.kind == Kind::Camp)
                .cloned()
                .collect(),
        );
        let (csv, rows) = match what {
            ExportKind::Cases => {
                // Newest first, as the list shows them: records come in id order.
                let newest_first: Vec<Record> = cases.iter().rev().cloned().collect();
                cases_csv(&newest_first, &camps, lang, personal)
            }
            ExportKind::Camps => camps_csv(&camps, &cases, lang),
        };
        let name = format!("sakhi-{}-{}.csv", what.as_str(), today());
        let notice = ExportNotice {
            id: Some(ExportId::new()),
            what,
            personal,
            rows,
            at: crate::browser::now_millis(),
        };
        exported.dispatch_local((notice, name, csv));
    };
    let export_cases = export.clone();
    view! {
        <section class="export" aria-labelledby="export-heading">
            <h2 id="export-heading">{tr(Text::ExportHeading)}</h2>
            <p class="muted">
                {tr(if may_include { Text::ExportNote } else { Text::ExportNotePlain })}
            </p>
            {may_include
                .then(|| {
                    view! {
                        <div class="choice">
                            <input
                                type="checkbox"
                                id="export-personal"
                                on:change=move |ev| set_personal.set(event_target_checked(&ev))
                            />
                            <label for="export-personal">{tr(Text::ExportPersonal)}</label>
                        </div>
                    }
                })}
            <div class="actions">
                <button type="button" class="button secondary" on:click=move |_| export_cases(ExportKind::Cases)>
                    {tr(Text::ExportCases)}
                </button>
                <button type="button" class="button secondary" on:click=move |_| export(ExportKind::Camps)>
                    {tr(Text::ExportCamps)}
                </button>
            </div>
            {move || {
                done()
                    .map(|rows| {
                        view! {
                            <p class="notice" role="status">
                                {move || fill(t(lang.get(), Text::ExportDone), "n", &rows.to_string())}
                            </p>
                        }
                    })
            }}
            {move || failed().then(|| alert(Text::ExportFailed))}
        </section>
    }
}
