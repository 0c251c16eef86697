#!/bin/sh
# mkcerts.sh DIR - a throw-away test PKI for the SMTP tests, made with the
# openssl CLI at test time (no key is ever committed):
#   DIR/ca.pem                 the test CA (pass it as --ca-file)
#   DIR/server.pem, .key       signed by the CA for 127.0.0.1, ::1 and
#                              localhost (subjectAltName)
#   DIR/wrong.pem, .key        signed by the CA for wrong.example only
#   DIR/expired.pem, .key      signed by the CA for 127.0.0.1, expired
# EC P-256 keys: quick to make.  Exits non-zero on any failure.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -days 30 -subj "/CN=pstfix test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

# leaf NAME SAN DAYS
leaf() {
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$1 test" -out "$1.csr"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n%s\n' "$2" \
		'extendedKeyUsage=serverAuth' > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days "$3" -extfile "$1.ext" -out "$1.pem" \
		2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
leaf server "IP:127.0.0.1,IP:::1,DNS:localhost" 30
leaf wrong "DNS:wrong.example" 30
leaf expired "IP:127.0.0.1,DNS:localhost" -1
