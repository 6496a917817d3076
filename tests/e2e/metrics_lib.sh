# Functions shared by the metrics end-to-end tests. Source after lib.sh and
# listen_lib.sh.

# scrape NAME PATH OUT: GET http://127.0.0.1:PORT/PATH from the metrics
# endpoint NAME announced; the body goes to OUT, the status is printed.
scrape() {
	curl -s -m 10 -o "$3" -w '%{http_code}' "http://127.0.0.1:$(port_of "$1" metrics)$2"
}

# metric FILE SAMPLE: the value of SAMPLE ("name{labels}" as written) in a
# scraped page, or "absent". awk, not python: a loaded machine starts
# python in seconds, and the tests poll with this.
metric() {
	awk -v want="$2" '!/^#/ {
		value = $NF
		sub(/ [^ ]*$/, "")
		if ($0 == want) { print value; found = 1; exit }
	}
	END { if (!found) print "absent" }' "$1"
}

# check_exposition FILE: the page is the Prometheus text format (0.0.4):
# every sample after its family's # HELP and # TYPE, in one block, counters
# named _total, label values escaped, no sample twice. promtool checks it
# too when the prometheus package is installed.
check_exposition() {
	python3 - "$1" <<'PY' || return 1
import re, sys
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABELS = r'\{(' + NAME + r'="(\\[\\"n]|[^\\"\n])*"(,|(?=\})))*\}'
SAMPLE = re.compile("^(" + NAME + ")(" + LABELS + r")? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$")
helps, types, seen, current = set(), {}, set(), None
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    line = line.rstrip("\n")
    where = "line %d: %s" % (n, line)
    if line.startswith("# HELP "):
        name = line.split(" ")[2]
        assert name not in helps, "HELP twice: " + where
        helps.add(name)
        current = name
    elif line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        assert name == current and name not in types, "TYPE after its HELP: " + where
        assert kind in ("counter", "gauge", "summary", "histogram"), where
        assert (kind == "counter") == name.endswith("_total"), "_total: " + where
        types[name] = kind
    else:
        m = SAMPLE.match(line)
        assert m, "not a sample: " + where
        name = m.group(1)
        family = name if name in types else re.sub("_(sum|count)$", "", name)
        assert family == current and family in types, "outside its family: " + where
        key = line.rpartition(" ")[0]
        assert key not in seen, "sample twice: " + where
        seen.add(key)
assert types, "no metrics at all"
PY
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics <"$1" || return 1
	fi
}
