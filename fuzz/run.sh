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

# The atheris targets call the extension module, so that is what they must see covered: a
# build of it with libFuzzer's coverage counters (which the mutations follow: without them
# libFuzzer finds nothing new and shrinks the corpus to one input), AddressSanitizer, debug
# assertions and overflow checks, as cargo-fuzz builds the Rust targets. It runs under
# atheris's libFuzzer with the ASan runtime preloaded, Python's small-object allocator off so
# that ASan sees every block, and leak checks off (the interpreter keeps memory at exit).
module_dir="$CARGO_TARGET_DIR/fuzz-module"
instrumented_module() {
    local triple suffix
    triple=$(rustc -vV | sed -n 's/^host: //p')
    suffix=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
    RUSTFLAGS="-Zsanitizer=address -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
        -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
        -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" \
        PYO3_PYTHON="$PY" cargo build --quiet --release --manifest-path ../Cargo.toml \
        --features extension-module --target "$triple" --target-dir "$module_dir/target"
    cp "$module_dir/target/$triple/release/librjson.so" "$module_dir/rjson$suffix"
}
python_env=(env PYTHONPATH="$module_dir" PYTHONMALLOC=malloc
            ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
            LD_PRELOAD="$("$PY" -c 'import atheris, os; print(os.path.join(atheris.path(), "asan_with_fuzzer.so"))')")
case " $targets " in *" loads_diff "*|*" dumps_diff "*|*" orjson_diff "*) instrumented_module ;; esac

failed=""
mkdir -p logs
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    flags=(-max_total_time="$seconds" -max_len=8192 -timeout=20 -rss_limit_mb=4096
           -print_final_stats=1 -artifact_prefix="artifacts/$t/")
    case $t in scanner|strings|loads_diff) flags+=(-dict=json.dict) ;; esac
    case $t in
        scanner) seeds=(seeds/scanner) ;;
        # The scanner's corpus (same parser, same first-byte convention) is a head start,
        # empty until the scanner has run.
        loads_diff|orjson_diff) mkdir -p corpus/scanner; seeds=(corpus/scanner seeds/scanner seeds/json) ;;
        dumps_diff) seeds=() ;;
        *) seeds=(seeds/json) ;;
    esac
    echo "== fuzz $t for ${seconds}s"
    if [[ " $RUST_TARGETS " == *" $t "* ]]; then
        cmd=("$CARGO_FUZZ" fuzz run --fuzz-dir . --target-dir "$fuzz_target_dir" -a --sanitizer address
             "$t" "corpus/$t" "${seeds[@]}" -- "${flags[@]}")
    else
        cmd=("${python_env[@]}" "$PY" "python/$t.py" "corpus/$t" "${seeds[@]}" "${flags[@]}")
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
