# Functions shared by the product end-to-end tests. Source after lib.sh and
# listen_lib.sh.

# Where the product tests find things (a test may set its own after this).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${FL_SHARED:-/work/shared}/data
PLUGINS=${FL_PLUGINS:-$(dirname "$FAULTLINE")/plugins}
DB="$T/faultline.db"

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

port_open() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; }

# start_kannel [MAX_MESSAGES]: a real Kannel on loopback (bearerbox, smsbox,
# fakesmsc as the SMS centre). MAX_MESSAGES is the sendsms user's cap on the
# parts of one concatenated SMS (default 8). Sets SENDPORT (smsbox sendsms,
# user faultline / s3cret), K_SMSC (the centre's port) and BEARERBOX_PID,
# SMSBOX_PID, FAKESMSC_PID; every SMS the centre receives is a "Got message"
# line in $T/phone.out. K_SMS_SERVICE, when set, is the sms-service group
# that answers what phones send (default: "no service").
start_kannel() {
	K_MAX_MESSAGES=${1:-8}
	BEARERBOX=${KANNEL_BEARERBOX:-/usr/sbin/bearerbox}
	SMSBOX=${KANNEL_SMSBOX:-/usr/sbin/smsbox}
	FAKESMSC=${KANNEL_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}
	for b in "$BEARERBOX" "$SMSBOX" "$FAKESMSC"; do
		[ -x "$b" ] || fail "$b missing (apt-get install kannel kannel-extras)"
	done
	# Kannel needs fixed ports in its configuration: four the kernel hands out
	set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
	K_ADMIN=$1 K_BOX=$2 K_SMSC=$3 SENDPORT=$4
	K_SERVICE=${K_SMS_SERVICE:-'group = sms-service
keyword = default
text = "no service"'}
	cat >"$T/kannel.conf" <<KEOF
group = core
admin-port = $K_ADMIN
admin-password = fl-admin
admin-allow-ip = "127.0.0.1"
smsbox-port = $K_BOX
box-allow-ip = "127.0.0.1"
log-file = "$T/bearerbox.log"
log-level = 0

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = $K_SMSC
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $K_BOX
sendsms-port = $SENDPORT
log-file = "$T/smsbox.log"
log-level = 0

group = sendsms-user
username = faultline
password = s3cret
concatenation = true
max-messages = $K_MAX_MESSAGES
user-allow-ip = "127.0.0.1"

$K_SERVICE
KEOF
	spawn "$BEARERBOX" "$T/kannel.conf" >"$T/bearerbox.out" 2>&1
	BEARERBOX_PID=$LAST_PID
	wait_for 20 port_open "$K_SMSC" || fail "bearerbox did not start: $(tail -5 "$T/bearerbox.out")"
	# fakesmsc sends nothing (-m 0) and prints every message the centre receives
	spawn "$FAKESMSC" -H 127.0.0.1 -r "$K_SMSC" -m 0 "1 2 text unused" >"$T/phone.out" 2>&1
	FAKESMSC_PID=$LAST_PID
	spawn "$SMSBOX" "$T/kannel.conf" >"$T/smsbox.out" 2>&1
	SMSBOX_PID=$LAST_PID
	wait_for 20 port_open "$SENDPORT" || fail "smsbox did not start: $(tail -5 "$T/smsbox.out")"
}

# start_smtp [NAME [ARG...]]: a real SMTP server (aiosmtpd, smtp_sink.py and
# its options ARG, e.g. --tls CERT KEY or --port N) on loopback. Sets
# SMTPPORT and SMTP_PID; each message received is $T/NAME/N.eml (NAME
# defaults to mail).
start_smtp() {
	smtp_name=${1:-mail}
	[ $# -gt 0 ] && shift
	PY="${FL_PYTHON:-/usr/bin/python3}"
	"$PY" -c 'import aiosmtpd' || fail "aiosmtpd missing (apt-get install python3-aiosmtpd)"
	mkdir -p "$T/$smtp_name"
	rm -f "$T/$smtp_name.port"
	spawn "$PY" "$(cd "$(dirname "$0")" && pwd)/smtp_sink.py" "$T/$smtp_name" \
		"$T/$smtp_name.port" "$@"
	SMTP_PID=$LAST_PID
	wait_for 10 test -s "$T/$smtp_name.port" || fail "the SMTP server $smtp_name did not start"
	SMTPPORT=$(cat "$T/$smtp_name.port")
}
