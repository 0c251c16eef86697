// xoauth2.js - an SMTP server on npm's smtp-server (version 3) for the
// XOAUTH2 and maxClients tests; aiosmtpd has no XOAUTH2.
//
//   node tests/smtp/xoauth2.js MODULES_DIR PORT_FILE CERT KEY USER TOKEN
//        [MAX_CLIENTS] [MAX_SECONDS]
//
// MODULES_DIR is where `make setup` installed smtp-server (build/npm/
// node_modules).  Binds 127.0.0.1 on a port the kernel picks and writes
// it to PORT_FILE; offers STARTTLS with CERT/KEY and AUTH XOAUTH2 and
// PLAIN (after TLS only).  USER with TOKEN (bearer) is accepted; any
// other token gets the XOAUTH2 error challenge (334 + base64 JSON) and,
// after the client's empty line, 535.  More than MAX_CLIENTS (default 0:
// no limit) connections at once get 421.  Every accepted message is
// counted; on SIGTERM or after MAX_SECONDS (default 60) it prints
// "accepted N" and exits 0.
'use strict';

const fs = require('fs');
const path = require('path');

const [modules, portFile, cert, key, user, token, maxClients, maxSecs] =
	process.argv.slice(2);
const { SMTPServer } = require(path.join(modules, 'smtp-server'));
let accepted = 0;

const server = new SMTPServer({
	secure: false,
	key: fs.readFileSync(key),
	cert: fs.readFileSync(cert),
	authMethods: ['XOAUTH2', 'PLAIN'],
	allowInsecureAuth: false,
	maxClients: Number(maxClients || 0),
	logger: false,
	onAuth(auth, session, cb) {
		if (auth.method === 'XOAUTH2' && auth.username === user &&
		    auth.accessToken === token)
			return cb(null, { user });
		// the documented error challenge of XOAUTH2
		return cb(null, { data: { status: '401', schemes: 'bearer',
					  scope: 'https://mail.test/' } });
	},
	onData(stream, session, cb) {
		stream.on('data', () => {});
		stream.on('end', () => { accepted++; cb(null, 'queued'); });
	},
});

function stop() {
	console.log('accepted ' + accepted);
	server.close(() => process.exit(0));
	setTimeout(() => process.exit(0), 1000).unref();
}

server.listen(0, '127.0.0.1', () => {
	const port = server.server.address().port;
	fs.writeFileSync(portFile + '.tmp', port + '\n');
	fs.renameSync(portFile + '.tmp', portFile);
});
process.on('SIGTERM', stop);
setTimeout(stop, 1000 * Number(maxSecs || 60)).unref();
