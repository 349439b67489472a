//! `blocklab calibrate`: the instrument, measured on this machine. How noisy the probe is at
//! rest, how close the lag it reports comes to blocks of known length (and whether each is
//! attributed to its job), how soon a stall shows, what observing costs at rest — and, with
//! `--overhead`, what it costs a busy runtime. It says plainly when the machine was too noisy
//! to trust the figures.
use std::time::{Duration, Instant};

use serde::Serialize;

use super::cpu::{self, MachineLoad, ThreadTimes};
use crate::clock::{Clock, ms};
use crate::data::{Batch, Flavor, LabConfig, Outcome, Work, Workload};
use crate::lab::strategy;
use crate::model::Model;
use crate::runner::Plan;
use crate::session::Labs;
use crate::text::T;

/// Block lengths calibrated, in ms.
pub const BLOCKS: [u64; 5] = [1, 2, 5, 20, 200];
/// Quiet time between two blocks of a calibration run.
const GAP: Duration = Duration::from_millis(40);
/// How long the at-rest CPU is measured (each of the two measurements).
const REST: Duration = Duration::from_secs(5);
/// Time past the TUI's quiet spell (its traffic rests then), and after a key, before measuring:
/// the UI's frame pace and the traffic settle.
const SETTLE: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, Serialize)]
pub struct Calibration {
    pub cores: usize,
    pub tokio_unstable: bool,
    /// Blocks per size and flavour.
    pub runs: usize,
    pub idle: Idle,
    pub blocks: Vec<BlockRow>,
    /// Per flavour: the smallest block attributed to its job in every run.
    pub smallest_attributed_ms: Vec<(String, Option<u64>)>,
    /// The TUI idle on lesson 1, its background traffic resting.
    pub rest_cpu: RestCpu,
    /// The same TUI idle just after a key, its traffic back at the lesson's rate.
    pub full_rate_cpu: RestCpu,
    /// The TUI came to rest (its traffic rested) before `rest_cpu` was measured.
    pub rested: bool,
    pub overhead: Option<Overhead>,
    /// Why the figures cannot be trusted (another process took the CPU, the VM lost it), if so.
    pub too_noisy: Option<String>,
    /// The machine's load during the measurements.
    pub load: MachineLoad,
}

#[derive(Clone, Debug, Serialize)]
pub struct Idle {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub samples: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BlockRow {
    pub flavor: &'static str,
    pub block_ms: u64,
    /// Reported worst lag for the block minus the job's own run time.
    pub median_error_ms: f64,
    pub worst_error_ms: f64,
    pub attributed: usize,
    pub runs: usize,
    /// From the block's start to the first live report of it (blocks of a stall's size).
    pub live_delay_median_ms: Option<f64>,
    pub live_delay_worst_ms: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RestCpu {
    /// Percent of one core, over the measured seconds.
    pub observer: f64,
    pub ui: f64,
    pub lab_loop: f64,
    pub traffic_clients: f64,
    pub other: f64,
    pub process: f64,
    pub seconds: f64,
    /// The background traffic's rate while measured, in requests a second.
    pub traffic_rate: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overhead {
    pub pairs: usize,
    /// Throughput with observation on ÷ off, median over the pairs.
    pub ratio_median: f64,
    /// Where the true median lies, with `confidence`: the pairs' own spread, not a guess.
    pub interval: [f64; 2],
    pub confidence: f64,
    /// What the interval says of keeping [`super::overhead::KEEP`] of the throughput.
    pub verdict: Verdict,
    pub ratios: Vec<f64>,
}

/// Whether observation keeps [`super::overhead::KEEP`] of a busy lab's throughput, as far as
/// this machine's noise lets the pairs tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is at or above it.
    Kept,
    /// The whole interval is below it.
    Lost,
    /// The interval straddles it: the noise hides the answer.
    Unclear,
}

/// Runs the calibration: `runs` blocks of each size on each flavour.
/// With `overhead`, also that many interleaved pairs of the observation-cost workload.
pub fn calibrate(runs: usize, overhead: Option<usize>) -> std::io::Result<Calibration> {
    let before = cpu::machine();
    let idle = idle()?;
    let mut blocks = Vec::new();
    let mut smallest = Vec::new();
    for flavor in Flavor::ALL {
        let rows = blocks_on(flavor, runs)?;
        let always = rows
            .iter()
            .filter(|r| r.attributed == r.runs)
            .map(|r| r.block_ms)
            .find(|&b| {
                rows.iter()
                    .filter(|r| r.block_ms >= b)
                    .all(|r| r.attributed == r.runs)
            });
        smallest.push((flavor.as_str().to_string(), always));
        blocks.extend(rows);
    }
    let (rest_cpu, full_rate_cpu, rested) = rest_cpu()?;
    // The machine's load over the calibration itself: the overhead pairs below fill both cores
    // on purpose, and counted in they read as "other processes".
    let load = cpu::machine().since(&before);
    let overhead = match overhead {
        Some(pairs) => Some(super::overhead::measure(pairs)?),
        None => None,
    };
    let too_noisy = noisy(&load, &idle);
    Ok(Calibration {
        cores: LabConfig::default().cores(),
        tokio_unstable: cfg!(tokio_unstable),
        runs,
        idle,
        blocks,
        smallest_attributed_ms: smallest,
        rest_cpu,
        full_rate_cpu,
        rested,
        overhead,
        too_noisy,
        load,
    })
}

/// The figures are not the instrument's when the machine was busy with something else.
fn noisy(load: &MachineLoad, idle: &Idle) -> Option<String> {
    if load.steal_pct > 2.0 {
        return Some(T::CalNoisySteal.fill(&[("steal", &format!("{:.1}", load.steal_pct))]));
    }
    if load.others_pct > 25.0 {
        return Some(T::CalNoisyOthers.fill(&[("others", &format!("{:.0}", load.others_pct))]));
    }
    if idle.p99_ms > 2.0 {
        return Some(T::CalNoisyIdle.fill(&[("p99", &format!("{:.2}", idle.p99_ms))]));
    }
    None
}

/// Two seconds of a lab with traffic and nothing else: the probe's own noise.
fn idle() -> std::io::Result<Idle> {
    let work = Work {
        workload: Workload::Async,
        strategy: strategy::named("inline"),
        ms: 1,
        size: 0,
    };
    let mut plan = Plan::once(LabConfig::default(), work, 1);
    plan.seconds = Some(Duration::from_secs(2));
    let (report, _) = super::run(plan)?;
    Ok(Idle {
        p50_ms: report.lag_ms.p50,
        p99_ms: report.lag_ms.p99,
        max_ms: report.lag_ms.max,
        samples: report.lag_ms.samples,
    })
}

/// Every block size, `runs` times, on one lab of this flavour (a multi-thread lab of two
/// workers blocks one of them), each block a job: how close the reported lag comes to it.
fn blocks_on(flavor: Flavor, runs: usize) -> std::io::Result<Vec<BlockRow>> {
    let lab = LabConfig {
        flavor,
        workers: 2,
        ..LabConfig::default()
    };
    let mut batches = Vec::new();
    let mut after = Duration::ZERO;
    for &block in &BLOCKS {
        for _ in 0..runs {
            let work = Work {
                workload: Workload::Sleep,
                strategy: strategy::named("inline"),
                ms: block,
                size: 0,
            };
            batches.push(Batch {
                work,
                jobs: 1,
                after,
            });
            after += Duration::from_millis(block) + GAP;
        }
    }
    let plan = Plan {
        lab,
        batches,
        stop_after: None,
        restart_after: None,
        seconds: None,
        load: None,
        sweep: None,
    };
    let (report, model) = super::run(plan)?;
    let polls = report.long_polls.clone().unwrap_or_default();
    let mut rows = Vec::new();
    for &block in &BLOCKS {
        let mut errors = Vec::new();
        let mut delays = Vec::new();
        let mut attributed = 0;
        let jobs = report
            .jobs
            .iter()
            .filter(|j| j.ms == block && j.outcome == Outcome::Ok);
        for job in jobs {
            let (Some(start), Some(run)) = (job.started_ms, job.run_ms) else {
                continue;
            };
            // With the poll hooks, the block's lag is its poll, attributed by task; without,
            // the worst ping sent while it lasted.
            let reported = match polls.iter().find(|p| p.job == Some(job.id)) {
                Some(p) => {
                    attributed += 1;
                    p.duration_ms
                }
                None => {
                    let stall = report.stalls.iter().find(|s| s.job == Some(job.id));
                    if stall.is_some() {
                        attributed += 1;
                    }
                    stall.map_or(0.0, |s| s.duration_ms)
                }
            };
            errors.push(reported - run);
            let from = report_start(&model) + Duration::from_secs_f64(start / 1e3);
            if let Some(seen) = model.first_seen_live(from) {
                delays.push(ms(seen.saturating_sub(from)));
            }
        }
        let (median, worst) = median_and_worst(&mut errors);
        let (delay_median, delay_worst) = if delays.is_empty() {
            (None, None)
        } else {
            let (m, w) = median_and_worst(&mut delays);
            (Some(m), Some(w))
        };
        rows.push(BlockRow {
            flavor: flavor.as_str(),
            block_ms: block,
            median_error_ms: median,
            worst_error_ms: worst,
            attributed,
            runs: errors.len(),
            live_delay_median_ms: delay_median,
            live_delay_worst_ms: delay_worst,
        });
    }
    Ok(rows)
}

/// The lab's start on the model's clock (the report's times count from it).
fn report_start(model: &Model) -> Duration {
    model.current_lab().map_or(Duration::ZERO, |(_, at)| at)
}

/// The median, and the value farthest from zero.
fn median_and_worst(values: &mut [f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    let worst = values
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(0.0);
    (median, worst)
}

/// CPU at rest: the TUI's loop on lesson 1, off-screen (a 120×40 buffer, at the TUI's own
/// pace), with its lab, traffic and observer. Measured twice: once the TUI has been idle past
/// its quiet spell (the traffic rests), then after a key that does nothing (the traffic back at
/// the lesson's rate, the UI as idle as before). Returns both, and whether it rested.
fn rest_cpu() -> std::io::Result<(RestCpu, RestCpu, bool)> {
    use crate::ui::app::{App, QUIET_SPELL};
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let ui = std::thread::Builder::new().name("ui".into()).spawn(
        || -> std::io::Result<(Measured, Measured, bool)> {
            let clock = Clock::start();
            let mut labs = Labs::on_loopback(clock);
            let lessons = crate::lesson::builtin().lessons;
            let mut app = App::new(lessons, 0, crate::cli::LabArgs::default());
            let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 40));
            let (keys, input) = std::sync::mpsc::channel();
            // The TUI's own loop until `at` on the clock.
            let mut until = |app: &mut App, at: Duration| {
                let stop = move || (clock.now() >= at).then_some(crate::ui::Exit::Quit);
                let extras = crate::ui::Extras::default();
                crate::ui::drive(&mut terminal, &mut labs, app, &input, &stop, extras).map(|_| ())
            };
            // Idle until the traffic rests (a stall in view at the start delays it by up to a
            // window), then the UI's pace settles.
            let give_up = clock.now() + 3 * QUIET_SPELL;
            while app.resting().is_none() && clock.now() < give_up {
                until(&mut app, clock.now() + Duration::from_secs(1))?;
            }
            until(&mut app, clock.now() + SETTLE)?;
            let rested = app.resting().is_some();
            let resting = measure(&mut app, clock, &mut until)?;
            // Any key brings the lesson's rate back; 'x' does nothing else.
            let key = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
            let _ = keys.send(Ok(Event::Key(key)));
            until(&mut app, clock.now() + SETTLE)?;
            let full = measure(&mut app, clock, &mut until)?;
            Ok((resting, full, rested))
        },
    )?;
    let (resting, full, rested) = ui
        .join()
        .map_err(|_| std::io::Error::other(T::CalUiPanicked.text()))??;
    Ok((percent(resting), percent(full), rested))
}

/// Per-thread CPU, the seconds it took, the background traffic's rate meanwhile.
type Measured = (ThreadTimes, f64, u32);

/// [`REST`] of the TUI's loop, as it goes, measured.
fn measure(
    app: &mut crate::ui::app::App,
    clock: Clock,
    until: &mut impl FnMut(&mut crate::ui::app::App, Duration) -> std::io::Result<()>,
) -> std::io::Result<Measured> {
    let rate = app.resting().unwrap_or(app.lab.traffic_rate);
    let before = ThreadTimes::read();
    let started = Instant::now();
    until(app, clock.now() + REST)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok((ThreadTimes::read().since(&before), seconds, rate))
}

/// Per thread, in percent of one core.
fn percent((spent, seconds, traffic_rate): Measured) -> RestCpu {
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / seconds;
    let known = ["observer", "ui", "lab-loop", "lab-clients"];
    let named: Duration = known.iter().map(|n| spent.of(n)).sum();
    RestCpu {
        observer: pct(spent.of("observer")),
        ui: pct(spent.of("ui")),
        lab_loop: pct(spent.of("lab-loop")),
        traffic_clients: pct(spent.of("lab-clients")),
        other: pct(spent.total().saturating_sub(named)),
        process: pct(spent.total()),
        seconds,
        traffic_rate,
    }
}

impl Calibration {
    /// The table for people.
    pub fn table(&self) -> String {
        let two = |v: f64| format!("{v:.2}");
        let cores = match self.cores {
            1 => T::CoresOne.fill(&[("n", &1)]),
            n => T::CoresMany.fill(&[("n", &n)]),
        };
        let hooks = if self.tokio_unstable {
            T::CalHooksOn
        } else {
            T::CalHooksOff
        };
        let mut out =
            T::CalHeader.fill(&[("cores", &cores), ("hooks", &hooks), ("runs", &self.runs)]);
        out += "\n\n";
        let i = &self.idle;
        out += &T::CalIdle.fill(&[
            ("p50", &format!("{:.3}", i.p50_ms)),
            ("p99", &format!("{:.3}", i.p99_ms)),
            ("max", &two(i.max_ms)),
            ("n", &i.samples),
        ]);
        out += "\n\n";
        out += T::CalTableHead.text();
        out += "\n";
        for r in &self.blocks {
            let live = match (r.live_delay_median_ms, r.live_delay_worst_ms) {
                (Some(m), Some(w)) => format!("{m:.1} / {w:.1} ms"),
                _ => "-".into(),
            };
            out += &T::CalRow.fill(&[
                ("flavor", &format!("{:<15}", r.flavor)),
                ("block", &format!("{:>4}", r.block_ms)),
                ("median", &format!("{:>+9.3}", r.median_error_ms)),
                ("worst", &format!("{:>+8.3}", r.worst_error_ms)),
                ("attributed", &format!("{:>4}", r.attributed)),
                ("runs", &format!("{:<4}", r.runs)),
                ("live", &live),
            ]);
            out += "\n";
        }
        out += T::CalErrorNote.text();
        out += "\n\n";
        for (flavor, smallest) in &self.smallest_attributed_ms {
            let block = smallest.map_or(T::CalNone.text().to_string(), |b| format!("{b} ms"));
            out += &T::CalSmallest.fill(&[("flavor", flavor), ("block", &block)]);
            out += "\n";
        }
        out += "\n";
        for (c, text) in [
            (&self.rest_cpu, T::CalRestCpu),
            (&self.full_rate_cpu, T::CalFullCpu),
        ] {
            out += &text.fill(&[
                ("s", &format!("{:.0}", c.seconds)),
                ("rate", &c.traffic_rate),
                ("observer", &two(c.observer)),
                ("ui", &two(c.ui)),
                ("lab", &two(c.lab_loop)),
                ("clients", &two(c.traffic_clients)),
                ("other", &two(c.other)),
                ("process", &two(c.process)),
            ]);
            out += "\n";
            if !self.rested && text == T::CalRestCpu {
                out += T::CalNotRested.text();
                out += "\n";
            }
        }
        if let Some(o) = &self.overhead {
            let all: Vec<String> = o.ratios.iter().map(|r| format!("{r:.3}")).collect();
            out += &T::CalOverhead.fill(&[
                ("ratio", &format!("{:.3}", o.ratio_median)),
                ("pairs", &o.pairs),
                ("conf", &format!("{:.0}", o.confidence * 100.0)),
                ("low", &format!("{:.3}", o.interval[0])),
                ("high", &format!("{:.3}", o.interval[1])),
                ("all", &all.join(", ")),
            ]);
            out += "\n";
            let verdict = match o.verdict {
                Verdict::Kept => T::CalOverheadKept,
                Verdict::Lost => T::CalOverheadLost,
                Verdict::Unclear => T::CalOverheadUnclear,
            };
            out += &verdict.fill(&[("keep", &format!("{:.2}", super::overhead::KEEP))]);
            out += "\n";
        }
        out += "\n";
        out += &T::CalLoad.fill(&[
            ("others", &format!("{:.1}", self.load.others_pct)),
            ("steal", &format!("{:.1}", self.load.steal_pct)),
        ]);
        out += "\n";
        if let Some(why) = &self.too_noisy {
            out += "\n";
            out += &T::CalTooNoisy.fill(&[("why", why)]);
            out += "\n";
        }
        out
    }
}
