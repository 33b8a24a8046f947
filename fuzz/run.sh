#!/usr/bin/env bash
# Runs each cargo-fuzz target for SECONDS (default 60) on the stable toolchain, without a
# sanitizer (`-s none`: ASan needs nightly). The corpora start from the repository's scenario
# files and fixtures (seeded on every run, so they are never stale) and keep what libFuzzer
# finds in fuzz/corpus/; a crash leaves its input in fuzz/artifacts/<target>/ and makes this
# script exit non-zero after every target has run.
#
#   fuzz/run.sh            # 60 s per target
#   fuzz/run.sh 300        # 5 min per target
#
# Needs `cargo install cargo-fuzz --locked` once.
set -euo pipefail

seconds="${1:-60}"
cd "$(dirname "$0")"

seed() {
    local target="$1"
    mkdir -p "corpus/$target"
    case "$target" in
        scenario_loader)
            find ../scenarios ../tests/fixtures -name '*.yaml' -print0 |
                while IFS= read -r -d '' file; do
                    cp "$file" "corpus/$target/seed-$(echo "$file" | tr '/.' '__')"
                done
            ;;
        matcher)
            # Each seed notification page matched against itself, and a few matcher forms.
            for file in ../tests/fixtures/seeds/*.json; do
                { cat "$file"; printf '\0'; cat "$file"; } >"corpus/$target/seed-$(basename "$file")"
            done
            printf '%s\0%s' '{"a":"$regex:[0-9]+","b":["$unordered",1,{"c":"$any"}],"d":"$absent","e":"$uri:/x/${session}"}' \
                '{"a":"12","b":[{"c":null},1],"e":"http://h:1/x/0001ABCD"}' >"corpus/$target/seed-matchers"
            printf '%s\0%s' '["$contains",{"id":"${session}","n":"${n}"},"$type:integer"]' \
                '[3,{"id":"0001ABCD","n":3},{"id":"x"}]' >"corpus/$target/seed-contains"
            ;;
        bayeux_decoder)
            printf '%s' '[{"id":"1","channel":"/meta/handshake","successful":true,"clientId":"c1","version":"1.0","supportedConnectionTypes":["long-polling"],"advice":{"reconnect":"retry","timeout":30000,"interval":0}}]' >"corpus/$target/seed-handshake"
            printf '%s' '[{"channel":"/v2/me/facebooksession","data":{"id":"1"}},{"id":"4","channel":"/meta/connect","successful":true}]' >"corpus/$target/seed-connect"
            printf '%s' '[{"id":"5","channel":"/meta/connect","successful":false,"error":"402::session_unknown","advice":{"reconnect":"handshake","interval":0}}]' >"corpus/$target/seed-unknown"
            printf '%s' '{"channel":"/meta/connect","id":7,"advice":{"timeout":1e300,"interval":-5}}' >"corpus/$target/seed-single"
            cp ../tests/fixtures/seeds/000-complete.json "corpus/$target/seed-json"
            ;;
    esac
}

failed=()
for target in scenario_loader matcher bayeux_decoder; do
    seed "$target"
    echo "== $target: ${seconds}s"
    if ! cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
