//! Randomly damaged inputs of every format: reading never panics, every path (sequential,
//! parallel, tiny chunks) gives the same records and the same report, and nothing is lost
//! silently (each input yields records or a problem).
#![allow(clippy::unwrap_used)]

mod support;

use shrike_io::{ReadOptions, Source};
use support::{gzip, read_with, write, zstd};

const SEEDS: &[&[u8]] = &[
    b"{\"a\":1}\n{\"b\":[1,2,{\"c\":\"x\\\"y\"}]}\n{\"d\":null}\n",
    b"[\n // c\n {\"a\": 1},\n {\"b\": {\"c\": [1, 2]}} /* x */\n]\n",
    b"{\"took\":1,\"hits\":{\"hits\":[{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"a\":1}},{\"_source\":{\"b\":2}}]}}",
    b"{\"index\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{\"a\":1}\n{\"delete\":{\"_id\":\"2\"}}\n{\"create\":{}}\n{\"b\":2}\n",
    b"{\"_index\":\"i\",\"_source\":{\"a\":1}}\n{\"_index\":\"j\",\"_source\":{\"b\":2}}\n",
    b"{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n",
];

fn mutate(rng: &mut fastrand::Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..rng.usize(1..4) {
        if v.is_empty() {
            break;
        }
        let at = rng.usize(0..v.len());
        match rng.u8(0..6) {
            0 => v[at] = rng.u8(..),
            1 => v.truncate(at),
            2 => v.insert(at, *b"{}[]\",:\n/\\".get(rng.usize(0..10)).unwrap()),
            3 => {
                v.remove(at);
            }
            4 => {
                let piece = v[at..].to_vec();
                v.extend_from_slice(&piece);
            }
            _ => v
                .splice(at..at, std::iter::repeat_n(b'[', rng.usize(1..300)))
                .for_each(drop),
        }
    }
    match rng.u8(0..5) {
        0 => gzip(&v),
        1 => zstd(&v),
        _ => v,
    }
}

#[test]
fn damaged_inputs_never_panic_and_all_paths_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(2024);
    // More with SHRIKE_MUTATION_ROUNDS=N.
    let rounds: usize = std::env::var("SHRIKE_MUTATION_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    for round in 0..rounds {
        let mut sources = Vec::new();
        for (i, seed) in SEEDS.iter().enumerate() {
            let bytes = mutate(&mut rng, seed);
            sources.push(Source::file(write(
                dir.path(),
                &format!("r{round}-{i}"),
                &bytes,
            )));
        }
        let opts = ReadOptions {
            max_depth: 16,
            ..ReadOptions::default()
        };
        let o = read_with(&sources, opts, None, dir.path());
        // Nothing vanishes: every input produced a record or a problem.
        for s in &sources {
            let name = s.name.replace(&format!("{}/", dir.path().display()), "");
            let seen = o.records.iter().any(|r| r.starts_with(&format!("{name}:")))
                || o.report.lines().any(|l| l.starts_with(&format!("{name}:")));
            assert!(
                seen,
                "round {round}: {name} yielded nothing and no problem\n{}",
                o.report
            );
        }
    }
}
