#!/usr/bin/env bash
# Whole-process throughput bench for shrike: generates (or reuses) an NDJSON file, measures the
# I/O and JSON-parse floors and `shrike hunt` on it in the same run, and prints a table.
# See bench/README.md for what each row means.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--size SIZE] [--runs N] [--threads N] [--file FILE]
                    [--rules-dir DIR] [--one-rule FILE] [--workdir DIR] [--no-build]

  --size SIZE       bytes of NDJSON to generate (default 1G; K/M/G = powers of 1000)
  --runs N          runs per measurement; the table shows the median (default 3)
  --threads N       threads for the parallel rows (default: number of CPUs)
  --file FILE       measure this NDJSON file instead of generating one
  --rules-dir DIR   rule corpus (default: $SHRIKE_SHARED or ../shared, corpus/detection-rules)
  --one-rule FILE   rule of the single-rule row (default: Remote Scheduled Task Creation)
  --workdir DIR     where data and results go (default: target/bench)
  --no-build        use the release binaries already built
EOF
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHRIKE_SHARED:-$repo/../shared}"
size=1G
runs=3
threads="$(nproc 2>/dev/null || echo 1)"
file=""
corpus="$shared/corpus/detection-rules"
one_rule=""
workdir="$repo/target/bench"
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --file) file="$2"; shift 2 ;;
        --rules-dir) corpus="$2"; shift 2 ;;
        --one-rule) one_rule="$2"; shift 2 ;;
        --workdir) workdir="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
one_rule="${one_rule:-$corpus/rules/windows/lateral_movement_scheduled_task_target.toml}"

TIME=/usr/bin/time
if ! "$TIME" -f '%e' true 2>/dev/null; then
    echo "bench: GNU time is needed for peak RSS (Debian/Ubuntu: apt-get install time)" >&2
    exit 2
fi

mkdir -p "$workdir"
if [ "$build" = 1 ]; then
    echo "bench: building release binaries" >&2
    (cd "$repo" && cargo build --release --quiet -p shrike -p shrike-gen --bin shrike --example json_floor)
fi
shrike="$repo/target/release/shrike"
floor="$repo/target/release/examples/json_floor"

rows=()      # "label|wall|cpu|rss_kb|note"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run_once OUT CMD...: runs CMD with stdout to OUT, records "wall cpu rss" in $tmp/last.
run_once() {
    local out="$1"; shift
    "$TIME" -f '%e %U %S %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/stderr" || {
        echo "bench: command failed: $*" >&2
        tail -5 "$tmp/stderr" >&2
        return 1
    }
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/time" >"$tmp/last"
}

# measure LABEL OUT CMD...: RUNS runs; keeps the median wall and CPU time and the largest RSS.
measure() {
    local label="$1" out="$2"; shift 2
    : >"$tmp/runs"
    for _ in $(seq "$runs"); do
        run_once "$out" "$@" || { rows+=("$label|-|-|-|failed"); return 0; }
        cat "$tmp/last" >>"$tmp/runs"
    done
    local wall cpu rss
    wall=$(sort -n -k1,1 "$tmp/runs" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    cpu=$(sort -n -k2,2 "$tmp/runs" | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')
    rss=$(sort -n -k3,3 "$tmp/runs" | tail -1 | awk '{ print $3 }')
    rows+=("$label|$wall|$cpu|$rss|${NOTE:-}")
    echo "bench: $label: ${wall}s wall, ${cpu}s CPU" >&2
}

# --- the data ----------------------------------------------------------------------------
if [ -z "$file" ]; then
    file="$workdir/events-$size.ndjson"
    if [ ! -s "$file" ]; then
        echo "bench: generating $size into $file" >&2
        run_once /dev/null "$shrike" generate --size "$size" --seed 1 --hosts 200 --disorder 0.01 \
            --attacks 1/250000 --truth "$file.truth.ndjson" --threads "$threads" -q -o "$file"
        read -r w c r <"$tmp/last"
        rows+=("shrike generate --size $size ($threads threads, to file)|$w|$c|$r|")
    else
        echo "bench: reusing $file" >&2
    fi
fi
bytes=$(stat -c %s "$file")
events=$(wc -l <"$file")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')
echo "bench: $file: $events events, $mb MB" >&2

# The generator alone, one thread, same amount of output, to /dev/null.
NOTE="" measure "shrike generate, 1 thread, to /dev/null" /dev/null \
    "$shrike" generate --size "$bytes" --seed 1 --hosts 200 --disorder 0.01 --threads 1 -q

# --- floors ------------------------------------------------------------------------------
cat "$file" >/dev/null # warm the page cache
NOTE="" measure "cat FILE > /dev/null" /dev/null cat "$file"
NOTE="" measure "wc -l FILE" /dev/null wc -l "$file"
NOTE="" measure "parse floor: serde_json::Value per line, 1 thread" /dev/null "$floor" --threads 1 "$file"
parse1_row=$((${#rows[@]} - 1))
if [ "$threads" -gt 1 ]; then
    NOTE="" measure "parse floor: serde_json::Value per line, $threads threads" /dev/null "$floor" --threads "$threads" "$file"
    parsen_row=$((${#rows[@]} - 1))
else
    parsen_row=$parse1_row
fi
NOTE="" measure "syntax floor: serde_json IgnoredAny per line, 1 thread" /dev/null "$floor" --mode skip --threads 1 "$file"

# --- shrike hunt -------------------------------------------------------------------------
hunt_rows=()
if "$shrike" hunt --help >/dev/null 2>&1; then
    if [ -f "$one_rule" ]; then
        for t in 1 "$threads"; do
            NOTE="1 rule" measure "shrike hunt, 1 rule, $t thread(s)" "$workdir/alerts-one.ndjson" \
                "$shrike" hunt --rules "$one_rule" --format ndjson --quiet --threads "$t" "$file"
            hunt_rows+=("$((${#rows[@]} - 1)):$t")
            [ "$threads" -gt 1 ] || break
        done
    else
        rows+=("shrike hunt, 1 rule|-|-|-|n/a ($one_rule not found)")
    fi
    if [ -d "$corpus" ]; then
        # Every rule of the corpus shrike runs: EQL and KQL (deprecated rules are left out
        # by hunt itself; ES|QL and machine-learning rules are counted as unsupported).
        rule_args=(--rules "$corpus/rules")
        [ -d "$corpus/rules_building_block" ] && rule_args+=(--rules "$corpus/rules_building_block")
        for t in 1 "$threads"; do
            NOTE="" measure "shrike hunt, all EQL+KQL rules, $t thread(s)" "$workdir/alerts-all.ndjson" \
                "$shrike" hunt "${rule_args[@]}" --format ndjson --threads "$t" "$file"
            hunt_rows+=("$((${#rows[@]} - 1)):$t")
            nrules=$(grep -oE '[0-9,]+ run,' "$tmp/stderr" | head -1 | tr -d ', run' || true)
            per_event=$(grep -oE '[0-9.]+ rules (evaluated )?per event' "$tmp/stderr" | head -1 | awk '{ print $1 }' || true)
            [ -n "$nrules" ] && rows[${#rows[@]}-1]+="$nrules rules"
            [ -n "$per_event" ] && rows[${#rows[@]}-1]+="; $per_event rules evaluated per event"
            [ "$threads" -gt 1 ] || break
        done
        if [ -s "$file.truth.ndjson" ] && [ -f "$workdir/alerts-all.ndjson" ]; then
            grep -oE '"event_ids":\[[^]]*\]' "$file.truth.ndjson" | grep -oE '"[A-Za-z0-9_-]{20}"' | tr -d '"' | sort -u >"$tmp/ids"
            found=$(grep -oF -f "$tmp/ids" "$workdir/alerts-all.ndjson" | sort -u | wc -l)
            echo "bench: planted event ids found in the corpus run's alerts: $found / $(wc -l <"$tmp/ids")" >&2
        fi
    else
        rows+=("shrike hunt, all EQL+KQL rules|-|-|-|n/a ($corpus not found)")
    fi
else
    rows+=("shrike hunt, 1 rule|-|-|-|n/a (shrike hunt not available yet)")
    rows+=("shrike hunt, all EQL+KQL rules|-|-|-|n/a (shrike hunt not available yet)")
fi

# --- the table ---------------------------------------------------------------------------
field() { echo "${rows[$1]}" | cut -d'|' -f"$2"; }
parse1_wall=$(field "$parse1_row" 2)
parsen_wall=$(field "$parsen_row" 2)
{
    echo "## shrike bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $events events, $mb MB"
    echo
    echo "File: \`$file\`. Median of $runs runs. Throughput is per wall-clock second; 'vs parse' compares"
    echo "events/s with the serde_json::Value parse floor at the same thread count."
    echo
    echo "| step | wall s | CPU s | events/s | MB/s | MB/s per CPU s | peak RSS MB | vs parse | note |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for i in "${!rows[@]}"; do
        IFS='|' read -r label wall cpu rss note <<<"${rows[$i]}"
        if [ "$wall" = "-" ]; then
            echo "| $label | - | - | - | - | - | - | - | $note |"
            continue
        fi
        vs="-"
        for hr in "${hunt_rows[@]:-}"; do
            [ -n "$hr" ] || continue
            if [ "${hr%%:*}" = "$i" ]; then
                if [ "${hr##*:}" = 1 ]; then base=$parse1_wall; else base=$parsen_wall; fi
                vs=$(awk -v b="$base" -v w="$wall" 'BEGIN { if (w > 0) printf "%.2f×", b / w; else printf "-" }')
            fi
        done
        awk -v l="$label" -v w="$wall" -v c="$cpu" -v r="$rss" -v e="$events" -v b="$bytes" -v vs="$vs" -v n="$note" 'BEGIN {
            ws = (w > 0) ? w : 0.001; cs = (c > 0) ? c : 0.001
            percpu = (c >= 0.01) ? sprintf("%.0f", b / 1e6 / cs) : "-"
            printf "| %s | %.2f | %.2f | %.0f | %.0f | %s | %.0f | %s | %s |\n", l, w, c, e / ws, b / 1e6 / ws, percpu, r / 1024, vs, n
        }'
    done
} | tee "$workdir/results.md"
echo "bench: table saved to $workdir/results.md" >&2
