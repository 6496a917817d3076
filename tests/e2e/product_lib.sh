# Functions shared by the product end-to-end tests. Source after lib.sh and
# listen_lib.sh.

# logger_as HOST PORT MESSAGE: logger sends MESSAGE (RFC 3164, UDP) to
# 127.0.0.1:PORT with HOST in the header, as the device itself would: logger
# writes the machine's name there, so it runs in a UTS namespace of its own
# named HOST.
logger_as() {
	unshare -r -u sh -c 'hostname "$1" && logger -n 127.0.0.1 -P "$2" -d --rfc3164 \
		-p local0.crit -t OSN -- "$3"' sh "$1" "$2" "$3" || fail "logger as $1 failed"
}

# fibre_cut PORT: both ends of span HC-YZ-R01-S02 (Yizhou, Hechi) lose signal,
# then a storm of the alarms that follow on both ends.
fibre_cut() {
	logger_as HC-YZ-LX-OSN01 "$1" "R_LOS raised port=1-8-1 board=N1SL16 level=critical"
	logger_as HC-YZ-SC-OSN01 "$1" "R_LOS raised port=1-7-1 board=N1SL16 level=critical"
	for a in R_LOF B2_EXC OTU_LOF; do
		logger_as HC-YZ-LX-OSN01 "$1" "$a raised port=1-8-1 board=N1SL16 level=major"
		logger_as HC-YZ-SC-OSN01 "$1" "$a raised port=1-7-1 board=N1SL16 level=major"
	done
}

# ticket_count DB: tickets in the store.
ticket_count() {
	sqlite3 "$1" 'SELECT count(*) FROM tickets' 2>/dev/null
}
