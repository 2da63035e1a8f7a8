# SPDX-License-Identifier: Apache-2.0
# lib_mariadb.sh - a private MariaDB server for a test (after
# tests/tools/lib.sh): its own data directory and unix socket under $T, no
# TCP port, started as an unprivileged user (mysql when we are root, else
# ourselves), killed with everything else the test started.  Holds
# ZStack's SessionVO (and the AccountVO it refers to) in database zstack,
# and a reader account with SELECT on SessionVO only, whose option file
# the feed script reads.
#
#   maria_start             start it; sets MARIA_SOCK, MARIA_CNF (0600,
#                           the reader's option file), MARIA_PASSWORD
#   maria SQL...            run SQL as the server's root (unix socket)
#   maria_login SID ACCOUNT [USER|NULL] [SECONDS-TO-LIVE]   a login
#
# Needs mariadbd (or mysqld), mariadb-install-db (or mysql_install_db)
# and mysql; callers skip (77) when they are missing (maria_need).

maria_need() {
	MARIA_D=$(command -v mariadbd || command -v mysqld ||
	    ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n 1) ||
	    true
	MARIA_INSTALL=$(command -v mariadb-install-db ||
	    command -v mysql_install_db) || true
	[ -n "$MARIA_D" ] && [ -x "$MARIA_D" ] ||
	    t_skip "mariadbd not installed (Debian: mariadb-server)"
	[ -n "$MARIA_INSTALL" ] || t_skip "mariadb-install-db not installed"
	t_need_cmd mysql
}

# (The SQL goes on stdin: it may hold the reader's password.)
maria() {
	printf '%s\n' "$*" | mysql --no-defaults -S "$MARIA_SOCK" -u root \
	    --batch --skip-column-names
}

maria_start() {
	local d=$T/maria user
	user=$(id -un)
	[ "$(id -u)" = 0 ] && user=mysql
	mkdir -p "$d/data" "$d/run"
	chown "$user" "$d" "$d/data" "$d/run"
	"$MARIA_INSTALL" --no-defaults --user="$user" --datadir="$d/data" \
	    --skip-test-db --auth-root-authentication-method=socket \
	    >"$T/maria-install.log" 2>&1 || {
		cat "$T/maria-install.log" >&2
		t_hard "mariadb-install-db failed"
	}
	MARIA_SOCK=$d/run/sock
	t_spawn maria "$MARIA_D" --no-defaults --user="$user" \
	    --datadir="$d/data" --socket="$MARIA_SOCK" --skip-networking \
	    --pid-file="$d/run/pid" --log-error="$d/run/error.log" \
	    --innodb-buffer-pool-size=16M --innodb-log-file-size=16M
	wait_until 600 maria "SELECT 1" >/dev/null 2>&1 || {
		cat "$d/run/error.log" >&2
		t_hard "MariaDB did not start"
	}
	MARIA_PASSWORD=Pw-$RANDOM$RANDOM$RANDOM
	# ZStack's DDL (conf/db/V0.6__schema.sql), AccountVO reduced to what
	# SessionVO's foreign key needs.
	maria "CREATE DATABASE zstack;
	    CREATE TABLE zstack.AccountVO (
		uuid varchar(32) NOT NULL UNIQUE,
		name varchar(255) NOT NULL,
		type varchar(128) NOT NULL,
		PRIMARY KEY (uuid)
	    ) ENGINE=InnoDB DEFAULT CHARSET=utf8;
	    CREATE TABLE zstack.SessionVO (
		uuid varchar(32) NOT NULL UNIQUE,
		accountUuid varchar(32) NOT NULL,
		userUuid varchar(32) DEFAULT NULL,
		expiredDate timestamp NOT NULL,
		createDate timestamp,
		CONSTRAINT fkSessionAccountUuid FOREIGN KEY (accountUuid)
		    REFERENCES AccountVO (uuid) ON DELETE CASCADE,
		PRIMARY KEY (uuid)
	    ) ENGINE=InnoDB DEFAULT CHARSET=utf8;
	    INSERT INTO zstack.AccountVO VALUES
		('$ACC_ADMIN', 'admin', 'SystemAdmin'),
		('$ACC_A', 'tenant-a', 'Normal'),
		('$ACC_B', 'tenant-b', 'Normal'),
		('$ACC_C', 'tenant-c', 'Normal');
	    CREATE USER 'zsq'@'localhost' IDENTIFIED BY '$MARIA_PASSWORD';
	    GRANT SELECT ON zstack.SessionVO TO 'zsq'@'localhost';" ||
	    t_hard "MariaDB: schema"
	MARIA_CNF=$T/zstack-mysql.cnf
	(umask 077 && printf '[client]\nsocket = %s\nuser = zsq\npassword = %s\n' \
	    "$MARIA_SOCK" "$MARIA_PASSWORD" >"$MARIA_CNF")
}

maria_login() {
	local sid=$1 acct=$2 user=${3:-NULL} ttl=${4:-7200}
	[ "$user" = NULL ] || user="'$user'"
	maria "INSERT INTO zstack.SessionVO VALUES ('$sid', '$acct', $user,
	    NOW() + INTERVAL $ttl SECOND, NOW())"
}
