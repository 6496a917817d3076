# The throwaway PKI of the TLS end-to-end tests. Source after lib.sh: it
# makes $P with a CA, a CA nobody trusts, the server's certificate
# (faultline.test, 127.0.0.1) and clients relay1.test and relay2.test from the
# CA and rogue (relay1.test) from the other CA, all valid from 2000 to 9999
# so no date matters. send_tls sends one line over gnutls-cli.
command -v certtool >/dev/null || fail "certtool missing (gnutls-bin; scripts/deps.sh test)"
command -v gnutls-cli >/dev/null || fail "gnutls-cli missing (gnutls-bin; scripts/deps.sh test)"

# --- a throwaway PKI ----------------------------------------------------------
P="$T/pki"
mkdir "$P"
# template NAME CN EXTRA...: a certtool template valid from 2000 to 9999.
template() {
	name=$1
	cn=$2
	shift 2
	{
		echo "cn = \"$cn\""
		for line in "$@"; do echo "$line"; done
		echo 'activation_date = "2000-01-01 00:00:00 UTC"'
		echo 'expiration_date = "9999-12-31 23:59:59 UTC"'
	} >"$P/$name.tmpl"
}
# make_ca NAME CN
make_ca() {
	template "$1" "$2" ca cert_signing_key
	certtool --generate-privkey --key-type ecdsa --outfile "$P/$1.key" 2>/dev/null
	certtool --generate-self-signed --load-privkey "$P/$1.key" --template "$P/$1.tmpl" \
		--outfile "$P/$1.pem" 2>/dev/null
}
# make_cert NAME CA CN ROLE: ROLE tls_www_server or tls_www_client.
make_cert() {
	template "$1" "$3" "dns_name = \"$3\"" "ip_address = \"127.0.0.1\"" "$4" signing_key \
		encryption_key
	certtool --generate-privkey --key-type ecdsa --outfile "$P/$1.key" 2>/dev/null
	certtool --generate-certificate --load-privkey "$P/$1.key" --load-ca-certificate "$P/$2.pem" \
		--load-ca-privkey "$P/$2.key" --template "$P/$1.tmpl" --outfile "$P/$1.pem" 2>/dev/null
}
make_ca ca "faultline e2e CA"
make_ca rogue_ca "someone else's CA"
make_cert server ca faultline.test tls_www_server
make_cert relay1 ca relay1.test tls_www_client
make_cert relay2 ca relay2.test tls_www_client
make_cert rogue rogue_ca relay1.test tls_www_client
for f in ca server relay1 relay2 rogue; do
	[ -s "$P/$f.pem" ] || fail "certtool did not make $f.pem"
done

# send_tls PORT NAME ARGS...: one line "sent id=NAME" over gnutls-cli with
# ARGS, to the TLS input on PORT; the client's output goes to $T/NAME.out.
send_tls() {
	port=$1
	name=$2
	shift 2
	(printf '<13>Nov 25 10:00:00 client e2e: sent id=%s\n' "$name"; sleep 1) |
		timeout 20 gnutls-cli --x509cafile "$P/ca.pem" -p "$port" "$@" 127.0.0.1 \
			>"$T/$name.out" 2>&1 || true
}
