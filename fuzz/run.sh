#!/usr/bin/env bash
# Runs fuzz targets one after the other, each for SECONDS: the cargo-fuzz targets on the
# pure-Rust parts, then the atheris differential targets against json (and orjson).
#
#   fuzz/run.sh SECONDS [TARGET...]      (make fuzz / make fuzz-ci set the environment)
#
# Environment: PY (the venv's python, rjson and atheris installed), CARGO_FUZZ (the cargo-fuzz
# binary), SHARED (../shared: corpus and conformance seeds), CARGO_TARGET_DIR.
# Corpora grow in fuzz/corpus/TARGET, findings land in fuzz/artifacts/TARGET/, logs in
# fuzz/logs/TARGET.log; the exit status is non-zero if any target found something.
set -euo pipefail
cd "$(dirname "$0")"
seconds=$1
shift
RUST_TARGETS="scanner strings ascii escape utf8"
PY_TARGETS="loads_diff dumps_diff orjson_diff"
targets=${*:-$RUST_TARGETS $PY_TARGETS}

# Seeds, made afresh each run and never committed: the shared JSON files (libFuzzer reads at
# most -max_len bytes of each), and for the scanner the same behind an options byte (0xf0:
# json's options, strict, depth limit 16). Each file is replaced whole, so a run starting beside this one
# never reads a half-written seed.
mkdir -p seeds/json seeds/scanner
for f in "$SHARED"/corpus/*.json "$SHARED"/conformance/JSONTestSuite/test_parsing/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    head -c 8192 "$f" > "seeds/json/.$name" && mv "seeds/json/.$name" "seeds/json/$name"
    { printf '\xf0'; cat "seeds/json/$name"; } > "seeds/scanner/.$name" && mv "seeds/scanner/.$name" "seeds/scanner/$name"
done

# cargo fuzz passes nightly-only flags (-Zsanitizer=address); RUSTC_BOOTSTRAP lets the
# stable toolchain take them. The rlib links libpython (no extension-module feature), so the
# binaries need its directory.
export RUSTC_BOOTSTRAP=1
LD_LIBRARY_PATH="$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
fuzz_target_dir="$CARGO_TARGET_DIR/fuzz"

failed=""
mkdir -p logs
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    flags=(-max_total_time="$seconds" -max_len=8192 -timeout=20 -rss_limit_mb=4096
           -print_final_stats=1 -artifact_prefix="artifacts/$t/")
    case $t in scanner|strings|loads_diff) flags+=(-dict=json.dict) ;; esac
    case $t in
        scanner) seeds=(seeds/scanner) ;;
        # The Python targets see no coverage of the native code; the scanner's corpus (grown
        # by coverage of the same parser, same first-byte convention) stands in for it.
        loads_diff|orjson_diff) seeds=(corpus/scanner seeds/scanner seeds/json) ;;
        dumps_diff) seeds=() ;;
        *) seeds=(seeds/json) ;;
    esac
    echo "== fuzz $t for ${seconds}s"
    if [[ " $RUST_TARGETS " == *" $t "* ]]; then
        cmd=("$CARGO_FUZZ" fuzz run --fuzz-dir . --target-dir "$fuzz_target_dir" -a --sanitizer address
             "$t" "corpus/$t" "${seeds[@]}" -- "${flags[@]}")
    else
        cmd=("$PY" "python/$t.py" "corpus/$t" "${seeds[@]}" "${flags[@]}")
    fi
    if "${cmd[@]}" > "logs/$t.log" 2>&1; then
        grep -E "^(stat::number_of_executed_units|stat::new_units_added|orjson_diff: )" "logs/$t.log" || true
    else
        failed="$failed $t"
        tail -n 40 "logs/$t.log"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: findings or failures in:$failed (see fuzz/logs, fuzz/artifacts)"
    exit 1
fi
echo "fuzz: no findings in: $targets"
