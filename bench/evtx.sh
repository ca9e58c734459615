#!/usr/bin/env bash
# Throughput of EVTX -> ECS (`shrike convert`) against the evtx crate's own JSON output
# (`evtx_dump -o jsonl`) on the same files. The target is shrike >= 50% of evtx_dump's speed.
#
#   bench/evtx.sh [FILE_OR_DIR...]        default: the EVTX samples in ../shared
#   REPS=5 THREADS=0 bench/evtx.sh        repetitions, parser threads (0 = all cores)
#
# Needs `evtx_dump` on PATH (`cargo install evtx`, used only as the yardstick) and builds
# shrike in release mode. Both tools run once per file (same process start-up cost) with
# output to /dev/null; the time is the mean over REPS passes over all files.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
reps="${REPS:-5}"
threads="${THREADS:-0}"
if [ "$#" -eq 0 ]; then
  set -- "${SHRIKE_SHARED:-$root/../shared}/samples/evtx"
fi
command -v evtx_dump >/dev/null || { echo "evtx_dump not found: cargo install evtx" >&2; exit 2; }

mapfile -d '' files < <(find "$@" -type f -name '*.evtx' -print0 | sort -z)
[ "${#files[@]}" -gt 0 ] || { echo "no .evtx files under $*" >&2; exit 2; }

cargo build --release -q -p shrike --manifest-path "$root/Cargo.toml"
shrike="$root/target/release/shrike"

bytes=$(cat "${files[@]}" | wc -c)
records=0
for f in "${files[@]}"; do
  n=$({ "$shrike" convert --threads "$threads" "$f" 2>/dev/null || true; } | wc -l)
  records=$((records + n))
done

run_pass() { # tool
  for f in "${files[@]}"; do
    case "$1" in
      evtx_dump) evtx_dump -o jsonl -t "$threads" "$f" >/dev/null 2>&1 || true ;;
      shrike) "$shrike" convert --threads "$threads" "$f" >/dev/null 2>&1 || true ;;
    esac
  done
}

measure() { # tool -> mean seconds per pass
  run_pass "$1" # warm the page cache
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$reps"); do run_pass "$1"; done
  end=$(date +%s.%N)
  echo "($end - $start) / $reps" | bc -l
}

t_evtx=$(measure evtx_dump)
t_shrike=$(measure shrike)

# EVTX -> ECS -> rules: one `shrike hunt` over all the files with the corpus's rules (rule
# loading included), when the corpus is there.
rules_dir="${SHRIKE_SHARED:-$root/../shared}/corpus/detection-rules/rules"
t_hunt=""
if [ -d "$rules_dir" ]; then
  hunt_pass() { "$shrike" hunt --rules "$rules_dir" --format ndjson --quiet --threads "$threads" "${files[@]}" >/dev/null 2>&1 || true; }
  hunt_pass
  start=$(date +%s.%N)
  for _ in $(seq "$reps"); do hunt_pass; done
  end=$(date +%s.%N)
  t_hunt=$(echo "($end - $start) / $reps" | bc -l)
fi

printf '%d files, %.1f MB, %d records, %d passes, threads=%s, %s cores\n' \
  "${#files[@]}" "$(echo "$bytes / 1000000" | bc -l)" "$records" "$reps" "$threads" "$(nproc)"
for tool in evtx_dump shrike; do
  t=$t_evtx; [ "$tool" = shrike ] && t=$t_shrike
  printf '%-30s %7.3f s   %7.1f MB/s   %9.0f records/s\n' \
    "$([ "$tool" = shrike ] && echo 'shrike convert (ECS)' || echo 'evtx_dump -o jsonl (raw JSON)')" \
    "$t" "$(echo "$bytes / 1000000 / $t" | bc -l)" "$(echo "$records / $t" | bc -l)"
done
printf 'shrike / evtx_dump speed: %.0f%% (target >= 50%%)\n' "$(echo "100 * $t_evtx / $t_shrike" | bc -l)"
if [ -n "$t_hunt" ]; then
  printf '%-30s %7.3f s   %7.1f MB/s   %9.0f records/s\n' 'shrike hunt (ECS + all rules)' \
    "$t_hunt" "$(echo "$bytes / 1000000 / $t_hunt" | bc -l)" "$(echo "$records / $t_hunt" | bc -l)"
  printf 'shrike hunt / evtx_dump speed: %.0f%% (target >= 50%%; one process, rule loading included)\n' \
    "$(echo "100 * $t_evtx / $t_hunt" | bc -l)"
fi
