//! `spine dedupe`: a CSV of people in, clusters (and optionally scored pairs) out, with a
//! progress bar on stderr and a summary at the end. Bad rows are reported with their line
//! number and skipped or fatal, as the user chose. `spine dedupe-bench` runs the same pipeline
//! on generated people with known truth and prints accuracy, speed and memory.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use spine_engine::blocking::BlockingRule;
use spine_engine::dedupe::{DedupeOptions, DedupeOutput, Stage, dedupe};
use spine_engine::model::Model;
use spine_engine::normalize::phone::Region;
use spine_engine::record::{Field, RawRecord, Record};

use super::text;
use crate::cli::{BenchKind, DedupeArgs, DedupeBenchArgs, OnError};
use spine_engine::synth::corrupt::Corruption;

/// A field longer than this is refused: no person's name or address is 64 KiB long.
const MAX_FIELD_BYTES: usize = 64 * 1024;

pub fn run(args: DedupeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let region = Region::parse(&args.region)
        .map_err(|e| anyhow::anyhow!("--region {}: {e}", args.region))?;
    let (records, truth) = read_csv(&args, region)?;
    let options = DedupeOptions {
        cluster: spine_engine::cluster::ClusterOptions {
            threshold: args.threshold,
            ..Default::default()
        },
        train: !args.no_train,
        ..DedupeOptions::default()
    };
    let explain = explain_requests(&args.explain, &records)?;
    let read = started.elapsed();
    let (output, model, times) = run_pipeline(&records, &options)?;
    write_clusters(&args.output, &records, &output)?;
    if let Some(path) = &args.pairs {
        write_pairs(path, &records, &output, args.threshold)?;
    }
    summary(&output, started);
    eprintln!("  reading {:.2}s, {times}", read.as_secs_f64());
    let explainer = Explainer::new(&records, &model, &options, &output);
    for pair in explain {
        explainer.print(pair);
    }
    if let Some(column) = &args.truth_column {
        // Each distinct label is one true person; an empty label is a person of its own.
        let mut people: HashMap<&str, u64> = HashMap::new();
        let labels: Vec<u64> = truth
            .iter()
            .zip(&records)
            .map(|(label, record)| {
                let label = if label.is_empty() { &record.id } else { label };
                let next = people.len() as u64;
                *people.entry(label.as_str()).or_insert(next)
            })
            .collect();
        let a = accuracy(&records, &output, |i| labels[i]);
        eprintln!(
            "against {column:?}: pairwise precision {:.4}, recall {:.4}, F1 {:.4}; B-cubed F1 {:.4}; {:.2}% of people found exactly ({} clusters for {} people)",
            a.pairwise_precision,
            a.pairwise_recall,
            a.pairwise_f1,
            a.bcubed_f1,
            a.exact_cluster_share * 100.0,
            a.predicted_clusters,
            a.true_clusters
        );
        let errors = Errors::find(&labels, &output, args.show_errors);
        eprintln!("{}", errors.blocking_recall());
        if args.show_errors > 0 {
            eprintln!("\ntrue pairs left apart:");
            for pair in &errors.missed {
                explainer.print(*pair);
            }
            eprintln!("\npairs linked that are different people:");
            for pair in &errors.wrong {
                explainer.print(*pair);
            }
        }
    }
    Ok(())
}

/// The record pairs `--explain` names, as indices; an unknown id is an error before any work.
fn explain_requests(
    requests: &[String],
    records: &[Record],
) -> anyhow::Result<Vec<(usize, usize)>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let index: HashMap<&str, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    requests
        .iter()
        .map(|request| {
            let (a, b) = request
                .split_once(',')
                .with_context(|| format!("--explain {request:?}: expected ID1,ID2"))?;
            let find = |id: &str| {
                index.get(id.trim()).copied().with_context(|| {
                    format!("--explain {request:?}: no record with id {:?}", id.trim())
                })
            };
            Ok((find(a)?, find(b)?))
        })
        .collect()
}

/// Explains pairs the way the review page does, from the trained model and the run's term
/// frequencies.
struct Explainer<'a> {
    records: &'a [Record],
    model: &'a Model,
    options: &'a DedupeOptions,
    output: &'a DedupeOutput,
}

impl<'a> Explainer<'a> {
    fn new(
        records: &'a [Record],
        model: &'a Model,
        options: &'a DedupeOptions,
        output: &'a DedupeOutput,
    ) -> Explainer<'a> {
        Explainer {
            records,
            model,
            options,
            output,
        }
    }

    fn print(&self, (left, right): (usize, usize)) {
        let (a, b) = (&self.records[left], &self.records[right]);
        let why = spine_engine::dedupe::explain_pair(
            self.records,
            (left, right),
            self.model,
            &self.output.tf,
            &self.options.rules,
            &self.output.report.distinct_person,
        );
        let together = self.output.cluster_of[left] == self.output.cluster_of[right];
        let compared = if why.rules.is_empty() {
            "never compared: no blocking rule gives them one key".to_owned()
        } else {
            let rules: Vec<String> = why.rules.iter().map(|r| format!("{r:?}")).collect();
            format!("compared under {}", rules.join(", "))
        };
        let verdict = match (&why.distinct_by, together) {
            (_, true) => "in one cluster".to_owned(),
            (Some((name, level)), false) => {
                format!("kept apart: {name} at {level:?} says another person")
            }
            (None, false) if why.probability >= self.options.cluster.threshold => {
                "kept apart by clustering: another pair between their clusters disagrees".into()
            }
            (None, false) => format!(
                "kept apart: below the threshold of {}",
                self.options.cluster.threshold
            ),
        };
        eprintln!(
            "{} / {}: probability {:.4} (weight {:+.1} bits), {compared}; {verdict}",
            a.id, b.id, why.probability, why.prediction.match_weight
        );
        for c in &why.prediction.explanation {
            // m: how often one person's two records reach this level; u: how often two people's do.
            let odds = match (c.m, c.u) {
                (Some(m), Some(u)) => format!("m {m:.3} u {u:.5}"),
                _ => String::new(),
            };
            eprintln!(
                "    {:<16} {:<28} {:+6.1}  {:<22} {} | {}",
                c.name,
                c.level,
                c.weight,
                odds,
                shown(a, &c.name),
                shown(b, &c.name)
            );
        }
    }
}

/// The values a comparison looked at, for the explanation.
fn shown(r: &Record, comparison: &str) -> String {
    let value = |v: &Option<spine_engine::record::Text>| v.as_deref().unwrap_or("-").to_owned();
    match comparison {
        "first_name" => value(&r.given),
        "last_name" => value(&r.family),
        "email" => value(&r.email),
        "phone" => value(&r.phone),
        "address" => match &r.address_unit {
            Some(unit) => format!("{} ({unit})", value(&r.address_line)),
            None => value(&r.address_line),
        },
        "postcode_city" => format!("{} {}", value(&r.postcode), value(&r.city)),
        "date_of_birth" => value(&r.date_of_birth),
        "external_id" => value(&r.external_id),
        other => other
            .strip_prefix("other:")
            .and_then(|key| r.others.get(key))
            .cloned()
            .unwrap_or_else(|| "-".into()),
    }
}

/// The true pairs a run left apart and the pairs it linked wrongly, from each record's true
/// person (`labels`), with how many true pairs blocking never compared.
struct Errors {
    true_pairs: usize,
    never_compared: usize,
    missed: Vec<(usize, usize)>,
    wrong: Vec<(usize, usize)>,
}

impl Errors {
    /// "blocking kept K of N true pairs (P%)".
    fn blocking_recall(&self) -> String {
        let kept = self.true_pairs - self.never_compared;
        format!(
            "blocking kept {kept} of {} true pairs ({:.2}%)",
            self.true_pairs,
            100.0 * kept as f64 / self.true_pairs.max(1) as f64
        )
    }

    fn find(labels: &[u64], output: &DedupeOutput, keep: usize) -> Errors {
        // Candidate pairs come out of blocking sorted, and scoring keeps their order.
        let compared = |a: usize, b: usize| {
            output
                .pairs
                .binary_search_by(|p| (p.left, p.right).cmp(&(a as u32, b as u32)))
                .is_ok()
        };
        let mut people: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, label) in labels.iter().enumerate() {
            people.entry(*label).or_default().push(i);
        }
        let mut errors = Errors {
            true_pairs: 0,
            never_compared: 0,
            missed: Vec::new(),
            wrong: Vec::new(),
        };
        for members in people.values() {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    errors.true_pairs += 1;
                    if !compared(a, b) {
                        errors.never_compared += 1;
                    }
                    if output.cluster_of[a] != output.cluster_of[b] && errors.missed.len() < keep {
                        errors.missed.push((a, b));
                    }
                }
            }
        }
        let mut clusters: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, c) in output.cluster_of.iter().enumerate() {
            clusters.entry(*c).or_default().push(i);
        }
        'clusters: for members in clusters.values() {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    if errors.wrong.len() >= keep {
                        break 'clusters;
                    }
                    if labels[a] != labels[b] {
                        errors.wrong.push((a, b));
                    }
                }
            }
        }
        errors.missed.sort_unstable();
        errors.wrong.sort_unstable();
        errors
    }
}

/// How the clusters compare with the true people, `truth(i)` being record i's person.
fn accuracy(
    records: &[Record],
    output: &DedupeOutput,
    truth: impl Fn(usize) -> u64,
) -> spine_engine::eval::Accuracy {
    let predicted: Vec<(String, u64)> = records
        .iter()
        .zip(&output.cluster_of)
        .map(|(r, c)| (r.id.clone(), u64::from(*c)))
        .collect();
    let truth: Vec<(String, u64)> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), truth(i)))
        .collect();
    spine_engine::eval::evaluate(&predicted, &truth)
}

/// Reads and normalizes the CSV's records and, with `--truth-column`, each one's label; refuses
/// a file that leaves no record to compare. One thread reads while another normalizes the
/// batches read so far.
fn read_csv(args: &DedupeArgs, region: Region) -> anyhow::Result<(Vec<Record>, Vec<String>)> {
    let (send, batches) = std::sync::mpsc::sync_channel::<Vec<RawRecord>>(1);
    let (read, records) = std::thread::scope(|scope| {
        let normalizing = scope.spawn(move || {
            let mut normalizer = Normalizer::new(region);
            for batch in batches {
                normalizer.add(batch);
            }
            normalizer.finish()
        });
        // `read_rows` owns the sender: however it ends, the normalizing thread then finishes.
        let read = read_rows(args, send);
        (read, normalizing.join())
    });
    let (truth, errors) = read?;
    let records = records.map_err(|_| anyhow::anyhow!("normalizing the records failed"))?;
    if records.is_empty() {
        if errors > 0 {
            bail!(
                "{}: no record to compare: all {errors} row(s) were refused",
                args.input.display()
            );
        }
        bail!("{} has a header but no records", args.input.display());
    }
    Ok((records, truth))
}

/// Reads the CSV's rows, sending them in batches, reporting each bad row with its line number
/// (or stopping at it); returns the labels and how many rows were refused.
fn read_rows(
    args: &DedupeArgs,
    batches: std::sync::mpsc::SyncSender<Vec<RawRecord>>,
) -> anyhow::Result<(Vec<String>, usize)> {
    let (path, id_column, on_error) = (&args.input, &args.id_column, args.on_error);
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = super::progress_bar(size, "reading", "");
    let mut input = BufReader::new(text::decoding(
        BufReader::new(bar.wrap_read(file)),
        args.encoding,
    ));
    let mut first_line = Vec::new();
    input
        .read_until(b'\n', &mut first_line)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let lag = spine_core::exports::csv_line_lag(&first_line);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::Cursor::new(first_line).chain(input));
    let headers = match reader.byte_headers() {
        Ok(h) if h.iter().any(|field| !field.is_empty()) => h.clone(),
        Ok(_) => bail!(
            "{} is empty: expected a header line with a {id_column:?} column",
            path.display()
        ),
        Err(e) => bail!("{}: cannot read the header: {e}", path.display()),
    };
    text::check_not_utf16(&path.display().to_string(), headers.as_slice())?;
    let headers: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let id_index = headers
        .iter()
        .position(|h| h == id_column)
        .with_context(|| {
            format!(
                "no column {id_column:?} in {} (columns: {})",
                path.display(),
                headers.join(", ")
            )
        })?;
    let mapping = column_fields(&headers, &args.map)?;
    if mapping.iter().all(Option::is_none) {
        bail!(
            "no column maps to a field Spine compares: name them first_name, email, ... or pass --map SRC=FIELD"
        );
    }

    let truth_index = match &args.truth_column {
        Some(column) => Some(headers.iter().position(|h| h == column).with_context(|| {
            format!("--truth-column: no column {column:?} in {}", path.display())
        })?),
        None => None,
    };

    let mut batch = Vec::with_capacity(Normalizer::BATCH);
    let send = |batch: Vec<RawRecord>| {
        batches
            .send(batch)
            .map_err(|_| anyhow::anyhow!("normalizing the records failed"))
    };
    let mut truth = Vec::new();
    let mut seen_ids = HashSet::new();
    let mut errors = 0usize;
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() + lag + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report_row(on_error, &mut errors, line, &format!("malformed CSV: {e}"))?;
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line() + lag);
        if record.len() != headers.len() {
            // A quote left open swallows the lines after it into one short or long row.
            let last = line
                + record
                    .as_slice()
                    .trim_ascii_end()
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
            let open_quote = if last > line {
                format!(" (the row runs on to line {last}: is a quote left open?)")
            } else {
                String::new()
            };
            let message = format!(
                "expected {} fields, found {}{open_quote}",
                headers.len(),
                record.len()
            );
            report_row(on_error, &mut errors, line, &message)?;
            continue;
        }
        match parse_row(&record, &headers, id_index, &mapping) {
            Ok(raw) if !seen_ids.insert(raw.id.clone()) => report_row(
                on_error,
                &mut errors,
                line,
                &format!("duplicate id {:?}", raw.id),
            )?,
            Ok(raw) => {
                if let Some(i) = truth_index {
                    truth.push(String::from_utf8_lossy(&record[i]).trim().to_owned());
                }
                batch.push(raw);
                if batch.len() == Normalizer::BATCH {
                    send(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(Normalizer::BATCH),
                    ))?;
                }
            }
            Err(message) => report_row(on_error, &mut errors, line, &message)?,
        }
    }
    bar.finish_and_clear();
    if errors > 0 {
        eprintln!("spine: skipped {errors} bad row(s)");
    }
    send(batch)?;
    Ok((truth, errors))
}

fn column_fields(headers: &[String], map: &[String]) -> anyhow::Result<Vec<Option<Field>>> {
    let mut explicit = BTreeMap::new();
    for entry in map
        .iter()
        .flat_map(|m| m.split(','))
        .filter(|m| !m.trim().is_empty())
    {
        let (source, field) = entry
            .split_once('=')
            .with_context(|| format!("--map {entry:?}: expected SRC=FIELD"))?;
        let field = Field::parse(field)
            .with_context(|| format!("--map {entry:?}: unknown field {field:?}"))?;
        if !headers.iter().any(|h| h == source.trim()) {
            bail!("--map {entry:?}: no column {:?}", source.trim());
        }
        explicit.insert(source.trim().to_owned(), field);
    }
    Ok(headers
        .iter()
        .map(|h| explicit.get(h).cloned().or_else(|| Field::parse(h)))
        .collect())
}

fn parse_row(
    row: &csv::ByteRecord,
    headers: &[String],
    id_index: usize,
    mapping: &[Option<Field>],
) -> Result<RawRecord, String> {
    let mut raw = RawRecord::default();
    for (i, bytes) in row.iter().enumerate() {
        if bytes.len() > MAX_FIELD_BYTES {
            return Err(format!(
                "column {:?} is longer than {MAX_FIELD_BYTES} bytes",
                headers[i]
            ));
        }
        let value = std::str::from_utf8(bytes).map_err(|_| {
            format!(
                "column {:?} is not valid UTF-8: {}",
                headers[i],
                text::ENCODING_HINT
            )
        })?;
        if i == id_index {
            raw.id = value.trim().to_owned();
        } else if let Some(field) = &mapping[i]
            && !value.trim().is_empty()
        {
            raw.fields.insert(field.clone(), value.to_owned());
        }
    }
    if raw.id.is_empty() {
        return Err(format!("empty id in column {:?}", headers[id_index]));
    }
    Ok(raw)
}

fn report_row(
    on_error: OnError,
    errors: &mut usize,
    line: u64,
    message: &str,
) -> anyhow::Result<()> {
    match on_error {
        OnError::Stop => bail!("line {line}: {message} (pass --on-error skip to skip bad rows)"),
        OnError::Skip => {
            *errors += 1;
            if *errors <= 20 {
                eprintln!("spine: line {line}: {message}; skipped");
            }
            Ok(())
        }
    }
}

/// Normalizes records a batch at a time, so that a file's raw rows never all wait in memory
/// beside their normalized forms; counts the values that could not be used.
struct Normalizer {
    region: Region,
    records: Vec<Record>,
    unusable: usize,
}

impl Normalizer {
    /// Rows read before they are normalized: big enough to keep both cores busy.
    const BATCH: usize = 65_536;

    fn new(region: Region) -> Normalizer {
        Normalizer {
            region,
            records: Vec::new(),
            unusable: 0,
        }
    }

    fn add(&mut self, raws: Vec<RawRecord>) {
        for (record, issues) in spine_engine::record::normalize_all(&raws, self.region) {
            self.unusable += issues.len();
            self.records.push(record);
        }
    }

    fn finish(self) -> Vec<Record> {
        if self.unusable > 0 {
            eprintln!(
                "spine: {} value(s) could not be normalized and were left out of matching",
                self.unusable
            );
        }
        self.records
    }
}

/// How long each stage of a run took, in the order they ran.
#[derive(Debug, Default)]
pub struct StageTimes(Vec<(&'static str, Duration)>);

impl std::fmt::Display for StageTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (stage, took)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{stage} {:.2}s", took.as_secs_f64())?;
        }
        Ok(())
    }
}

/// Runs blocking, training, scoring and clustering with one progress bar per stage.
pub fn run_pipeline(
    records: &[Record],
    options: &DedupeOptions,
) -> anyhow::Result<(DedupeOutput, Model, StageTimes)> {
    let bar = super::progress_bar(0, "blocking", "");
    // The stage running and when it began.
    let current = std::sync::Mutex::new((Stage::Blocking, Instant::now(), StageTimes::default()));
    let progress = |stage: Stage, done: u64, total: u64| {
        if let Ok(mut current) = current.lock()
            && current.0 != stage
        {
            let (previous, began) = (current.0, current.1);
            current.2.0.push((previous.label(), began.elapsed()));
            *current = (stage, Instant::now(), std::mem::take(&mut current.2));
            bar.set_message(stage.label());
            bar.reset();
        }
        bar.set_length(total);
        bar.set_position(done);
    };
    // The comparisons of the fields the file has, its "other:" columns included.
    let mut model = Model::for_records(records);
    let output = dedupe(records, &mut model, options, &progress);
    bar.finish_and_clear();
    let (last, began, mut times) = current
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a deduplication worker panicked"))?;
    times.0.push((last.label(), began.elapsed()));
    Ok((output, model, times))
}

fn write_clusters(path: &Path, records: &[Record], output: &DedupeOutput) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_writer(BufWriter::new(
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    ));
    out.write_record(["record_id", "cluster_id"])?;
    for (record, cluster) in records.iter().zip(&output.cluster_of) {
        out.write_record([record.id.as_str(), records[*cluster as usize].id.as_str()])?;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn write_pairs(
    path: &Path,
    records: &[Record],
    output: &DedupeOutput,
    threshold: f64,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    let mut csv = csv::Writer::from_writer(&mut out);
    csv.write_record(["left_id", "right_id", "probability"])?;
    for p in output
        .pairs
        .iter()
        .filter(|p| p.probability as f64 >= threshold)
    {
        csv.write_record([
            records[p.left as usize].id.as_str(),
            records[p.right as usize].id.as_str(),
            &format!("{:.4}", p.probability),
        ])?;
    }
    csv.flush()?;
    drop(csv);
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn summary(output: &DedupeOutput, started: Instant) {
    let r = &output.report;
    eprintln!(
        "records {}, pairs compared {}, links {}, clusters {}, {:.1}s, peak memory {}",
        r.records,
        r.candidate_pairs,
        r.links,
        r.clusters,
        started.elapsed().as_secs_f64(),
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
    // One line per rule: a million records can skip thousands of blocks.
    let mut skipped: BTreeMap<String, (BlockingRule, usize, usize, usize)> = BTreeMap::new();
    for (rule, size) in &r.skipped_blocks {
        let entry = skipped
            .entry(format!("{rule:?}"))
            .or_insert((*rule, 0, 0, 0));
        entry.1 += 1;
        entry.2 += size;
        entry.3 = entry.3.max(*size);
    }
    for (name, (rule, blocks, records, largest)) in skipped {
        // A rule with a cap of its own keys on values few records share by design.
        let own_cap = rule.max_block(usize::MAX);
        if own_cap < usize::MAX {
            eprintln!(
                "  rule {name} compares only values few records share: it left out {blocks} value(s) shared by more than {own_cap} records ({records} records in all, the largest {largest})"
            );
        } else {
            eprintln!(
                "  rule {name} skipped {blocks} block(s) of {records} records in all (the largest {largest}): values that common say little, and comparing all their pairs would take long"
            );
        }
    }
    for (name, level, m) in &r.distinct_person.waived {
        eprintln!(
            "  {name} at {level:?} says another person only where nothing else about the person agrees: {:.1}% of this file's duplicates disagree so",
            m * 100.0
        );
    }
}

/// Peak resident memory of this process (Linux), for the summary.
pub fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(format!("{:.0} MiB", kb as f64 / 1024.0))
}

/// `spine dedupe-bench`: generated people with known truth through the same pipeline.
pub fn bench(args: DedupeBenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let corruption = match args.kind {
        BenchKind::Customers => None,
        BenchKind::CustomersChanged => Some(Corruption::customers()),
        BenchKind::Registry => Some(Corruption::registry()),
        BenchKind::Sparse => Some(Corruption::sparse()),
    };
    let mut synth = spine_engine::synth::generate(&spine_engine::synth::SynthOptions {
        people: args.people,
        seed: args.seed,
        variations: corruption.map(|c| c.variations()).unwrap_or_default(),
        ..Default::default()
    });
    if let Some(corruption) = &corruption {
        spine_engine::synth::corrupt::corrupt(&mut synth, corruption, args.seed);
    }
    let generated = started.elapsed();
    if let Some(path) = &args.write_csv {
        return write_generated(path, &synth);
    }
    // Keep only what the evaluation needs of the generated records: their truth and kind.
    let (raws, synth): (Vec<RawRecord>, Vec<(u64, spine_engine::synth::PersonKind)>) = synth
        .into_iter()
        .map(|s| (s.raw, (s.person, s.kind)))
        .unzip();
    let t = Instant::now();
    let mut normalizer = Normalizer::new(Region::default());
    normalizer.add(raws);
    let records = normalizer.finish();
    let normalized = t.elapsed();
    let options = DedupeOptions {
        cluster: spine_engine::cluster::ClusterOptions {
            threshold: args.threshold,
            ..Default::default()
        },
        train: !args.no_train,
        ..DedupeOptions::default()
    };
    let t = Instant::now();
    let (output, _, times) = run_pipeline(&records, &options)?;
    let deduped = t.elapsed();
    let accuracy = accuracy(&records, &output, |i| synth[i].0);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "people {} records {} (generated in {:.1}s)",
        args.people,
        records.len(),
        generated.as_secs_f64()
    )?;
    writeln!(
        out,
        "normalize {:.2}s, dedupe {:.2}s (candidate pairs {}, links {}, clusters {})",
        normalized.as_secs_f64(),
        deduped.as_secs_f64(),
        output.report.candidate_pairs,
        output.report.links,
        output.report.clusters
    )?;
    writeln!(out, "  {times}")?;
    writeln!(out, "{accuracy:#?}")?;
    let labels: Vec<u64> = synth.iter().map(|(person, _)| *person).collect();
    writeln!(
        out,
        "{}",
        Errors::find(&labels, &output, 0).blocking_recall()
    )?;
    if let Some(em) = &output.report.em {
        writeln!(
            out,
            "EM: {} iterations, converged {}, prior {:.3e}",
            em.iterations, em.converged, em.prior
        )?;
    }
    // Where the false links are: which kinds of people were wrongly put together.
    let mut members: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, c) in output.cluster_of.iter().enumerate() {
        members.entry(*c).or_default().push(i);
    }
    let mut wrong: BTreeMap<String, usize> = BTreeMap::new();
    for list in members.values() {
        for (x, &a) in list.iter().enumerate() {
            for &b in &list[x + 1..] {
                if synth[a].0 != synth[b].0 {
                    *wrong
                        .entry(format!("{:?}+{:?}", synth[a].1, synth[b].1))
                        .or_default() += 1;
                }
            }
        }
    }
    writeln!(out, "false links by kind of person: {wrong:?}")?;
    writeln!(
        out,
        "peak memory {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    )?;
    Ok(())
}

/// `dedupe-bench --write-csv`: the generated records as a CSV `spine dedupe` reads, with each
/// record's true person in `true_person` (not a field, so not compared).
fn write_generated(path: &Path, synth: &[spine_engine::synth::SynthRecord]) -> anyhow::Result<()> {
    let fields: std::collections::BTreeSet<&Field> =
        synth.iter().flat_map(|s| s.raw.fields.keys()).collect();
    let mut out = csv::Writer::from_writer(BufWriter::new(
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    ));
    let header = ["id".to_owned(), "true_person".to_owned()]
        .into_iter()
        .chain(fields.iter().map(|f| f.name()));
    out.write_record(header)?;
    for s in synth {
        let values = fields
            .iter()
            .map(|f| s.raw.fields.get(*f).map_or("", String::as_str));
        let person = s.person.to_string();
        out.write_record(
            [s.raw.id.as_str(), person.as_str()]
                .into_iter()
                .chain(values),
        )?;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "wrote {} records of generated people to {}; try: spine dedupe --input {} --id-column id --truth-column true_person --output clusters.csv",
        synth.len(),
        path.display(),
        path.display()
    );
    Ok(())
}
