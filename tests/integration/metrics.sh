#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# metrics.sh - the pool's /zsquery/metrics (docs/API.md section 12)
# through the shipped site, read by a real Prometheus:
#  * docs/zsquery-alerts.yml passes promtool check rules and its unit
#    tests (tests/data/alerts_test.yml, promtool test rules);
#  * nginx/zsquery.conf, run for real (certificate, log paths, ports and
#    socket moved; the rate limit raised so that the mix below is not cut
#    by 429s; 127.0.0.3 added to its metrics allow list), passes the page
#    to 127.0.0.1 and to 127.0.0.3, and answers 127.0.0.2 with the same
#    404 as any unknown path, before the pool sees the request;
#  * promtool check metrics accepts the page;
#  * Prometheus (/usr/bin/prometheus on loopback, a throw-away TSDB,
#    scraping the site over TLS every 2 s) shows up == 1 and, after a
#    known mix of requests, every zsquery_requests_total series equal to
#    the mix (zeros included), the JSON errors by code, the latency
#    histograms' counts and the body histograms' sums equal to the bytes
#    curl received; the store's gauges equal to zsquery-admin stat; a feed
#    failure recorded by zsquery-admin shows;
#  * after kill -9 of a worker: a start and a SIGKILL death counted, and
#    the counters go on from where they were (more requests add up; no
#    reset seen by Prometheus's resets());
#  * the alert rules, loaded into that Prometheus, evaluate without error:
#    the feed-age alert fires for this store (its feeds never ran), the
#    worker-death alert after the kill, the server-error alert stays quiet
#    though the mix holds 503s (ID.1001 and SYS.1007 are the clients').
# Skips (77) when nginx, curl, openssl, prometheus or promtool is missing.

. "${top_srcdir:?}/tests/tools/lib.sh" || exit 99
t_need_cmd nginx curl openssl prometheus promtool python3 setsid
t_init metrics
t_need_bins

RULES=$top_srcdir/docs/zsquery-alerts.yml
export TZ=UTC

# ---- the alert rules, offline -------------------------------------------------
out=$(promtool check rules "$RULES" 2>&1) && ok ||
    not_ok "promtool check rules $RULES: $out"
out=$(promtool test rules "$top_srcdir/tests/data/alerts_test.yml" 2>&1) &&
    ok ||
    not_ok "promtool test rules tests/data/alerts_test.yml: $out"

# ---- the pool behind the shipped site ----------------------------------------
store_make "$T/store" >"$T/store.log" 2>&1 ||
    { cat "$T/store.log" >&2; t_hard "store"; }
pool_start pool "$T/store" "$T/pool.sock" -w 3 || t_hard "pool"

D=$T/site
mkdir -p "$D/snippets" "$D/tmp"
cp "$top_srcdir/nginx/zsquery-fastcgi.conf" "$D/snippets/"
# Prometheus checks the certificate: it names the address scraped.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$D/key.pem" \
    -out "$D/cert.pem" >/dev/null 2>&1 || t_hard "openssl: test certificate"
P80=$(free_port)
P443=$(free_port)
sed -e "s|/etc/ssl/certs/zsquery.pem|$D/cert.pem|" \
    -e "s|/etc/ssl/private/zsquery.key|$D/key.pem|" \
    -e "s|/var/log/nginx/|$D/|" \
    -e '/listen.*\[::\]/d' \
    -e "s|listen\([[:space:]]*\)80;|listen\1127.0.0.1:$P80;|" \
    -e "s|listen\([[:space:]]*\)443 |listen\1127.0.0.1:$P443 |" \
    -e "s|unix:/run/zsquery/zsquery.sock|unix:$T/pool.sock|" \
    -e 's|rate=20r/s|rate=10000r/s|' -e 's|burst=40 |burst=10000 |' \
    -e 's|^\([[:space:]]*\)# --- metrics allow list.*|&\n\1127.0.0.3\t1;|' \
    "$top_srcdir/nginx/zsquery.conf" >"$D/site.conf"
for n in "$D/cert.pem" "127.0.0.1:$P443 ssl" "unix:$T/pool.sock;" \
    rate=10000r/s 'burst=10000 ' "$(printf '127.0.0.3\t1;')" \
    'location = /zsquery/metrics {'; do
	grep -qF "$n" "$D/site.conf" ||
	    t_hard "zsquery.conf changed: no '$n' after sed"
done
nginx_wrap "$D"
t_spawn site nginx -p "$D" -c "$D/nginx.conf" -e "$D/error.log" \
    -g 'daemon off;'
wait_until 300 test -s "$D/nginx.pid" || t_hard "nginx did not start"
BASE=https://127.0.0.1:$P443
TLS=(--cacert "$D/cert.pem")
wait_until 300 curl -s -o /dev/null "${TLS[@]}" "$BASE/" ||
    t_hard "nginx does not answer on $BASE"

# ---- who may read the page ----------------------------------------------------
req "${TLS[@]}" /zsquery/metrics
if [ "$STATUS" = 200 ] &&
    [ "$(header Content-Type)" = "text/plain; version=0.0.4; charset=utf-8" ] &&
    grep -q '^zsquery_store_groups [0-9]' "$T/body"; then
	ok
else
	not_ok "metrics from 127.0.0.1: $STATUS $(header Content-Type) $(head -c 200 "$T/body")"
fi
out=$(promtool check metrics <"$T/body" 2>&1) && ok ||
    not_ok "promtool check metrics: $out"
req "${TLS[@]}" --interface 127.0.0.3 /zsquery/metrics
[ "$STATUS" = 200 ] && grep -q '^zsquery_store_groups ' "$T/body" && ok ||
    not_ok "metrics from 127.0.0.3 (allow list): $STATUS"
req "${TLS[@]}" /nope
cp "$T/body" "$T/404.body"
for m in GET POST; do
	req "${TLS[@]}" --interface 127.0.0.2 -X "$m" /zsquery/metrics
	if [ "$STATUS" = 404 ] && cmp -s "$T/body" "$T/404.body"; then
		ok
	else
		not_ok "$m metrics from 127.0.0.2: $STATUS, want the site's 404: $(head -c 200 "$T/body")"
	fi
done
req "${TLS[@]}" --interface 127.0.0.2 /zsquery/metrics?x=1
[ "$STATUS" = 404 ] && ok || not_ok "metrics?x=1 from 127.0.0.2: $STATUS"

# ---- Prometheus ---------------------------------------------------------------
PROM_PORT=$(free_port)
PROM=http://127.0.0.1:$PROM_PORT
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: zsquery
    scheme: https
    metrics_path: /zsquery/metrics
    tls_config:
      ca_file: $D/cert.pem
    static_configs:
      - targets: ['127.0.0.1:$P443']
EOF
t_spawn prometheus prometheus --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
    --log.level=warn
wait_until 600 curl -sf -o /dev/null "$PROM/-/ready" ||
    t_hard "prometheus is not ready on $PROM"

# series_match EXPR WANT...: the instant vector EXPR, as Prometheus's HTTP
# API returns it, has exactly the values WANT gives ("LABELS VALUE", the
# labels but instance and job sorted and comma-joined, "-" for none;
# VALUE "*" takes any), and 0 for every series WANT does not list.
# Mismatches are left in $T/why.
series_match() {
	local expr=$1
	shift
	printf '%s\n' "$@" >"$T/want"
	curl -s --max-time 10 -o "$T/q.json" "$PROM/api/v1/query" \
	    --data-urlencode "query=$expr" || { echo "query failed" >"$T/why"; return 1; }
	python3 - "$T/q.json" "$T/want" >"$T/why" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if d.get("status") != "success":
    print("query error: %s" % d)
    sys.exit(1)
want = dict(l.split() for l in open(sys.argv[2]) if l.strip())
got = {}
for r in d["data"]["result"]:
    m = r["metric"]
    k = ",".join("%s=%s" % (n, m[n]) for n in sorted(m)
                 if n not in ("__name__", "instance", "job")) or "-"
    got[k] = r["value"][1]
bad = ["%s: %s, want %s" % (k, v, want.get(k, "0"))
       for k, v in sorted(got.items())
       if want.get(k, "0") != "*" and float(v) != float(want.get(k, "0"))]
bad += ["%s: missing, want %s" % (k, want[k]) for k in sorted(set(want) - set(got))]
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# expect_series DESC EXPR WANT...: series_match, waiting (bounded) for
# Prometheus to scrape and evaluate.
expect_series() {
	local desc=$1
	shift
	if wait_until 600 series_match "$@"; then
		ok
	else
		not_ok "$desc: $1: $(cat "$T/why")"
	fi
}

expect_series "Prometheus scrapes the site" 'up{job="zsquery"}' '- 1'

# ---- a known mix of requests ------------------------------------------------
declare -A N SIZE
# hit ROUTE CODE CURL-ARGS... PATH: one request of the mix, which must be
# answered CODE; counted for ROUTE, with the body bytes curl received.
hit() {
	local route=$1 code=$2
	shift 2
	req "${TLS[@]}" "$@"
	[ "$STATUS" = "$code" ] ||
	    not_ok "mix: ${*: -1} answered $STATUS, want $code: $(head -c 200 "$T/body")"
	N[$route,$code]=$(( ${N[$route,$code]:-0} + 1 ))
	SIZE[$route]=$(( ${SIZE[$route]:-0} + $(stat -c %s "$T/body") ))
}
A=(-H "Authorization: OAuth $SID_A")
for i in 1 2 3 4 5; do hit list 200 "${A[@]}" "$API/"; done
etag_list=$(header ETag)
for i in 1 2 3 4; do hit get 200 "${A[@]}" "$API/$G_A1"; done
etag_get=$(header ETag)
for i in 1 2; do hit list 304 "${A[@]}" -H "If-None-Match: $etag_list" "$API/"; done
for i in 1 2 3; do hit get 304 "${A[@]}" -H "If-None-Match: $etag_get" "$API/$G_A1"; done
for i in 1 2; do hit list 400 "$API/"; done
for i in 1 2 3; do hit other 404 "${A[@]}" /zstack/v1/zones; done
for i in 1 2; do hit list 405 "${A[@]}" -X POST "$API/"; done
hit metrics 405 -X POST /zsquery/metrics
for i in 1 2; do hit list 503 -H "Authorization: OAuth $SID_EXPIRED" "$API/"; done
hit get 503 -H "Authorization: OAuth $SID_EXPIRED" "$API/$G_A1"
hit list 503 "${A[@]}" "$API/?filterName=x"
# ZStack's SYS.1000 for what does not exist: the client's, not the server's.
hit list 503 "${A[@]}" "$API/?sort=nosuch"
hit list 503 "${A[@]}" "$API/?fields=nosuch"

# want_requests: the WANT lines of zsquery_requests_total for the mix so
# far; the scrapes (metrics 200) are any number.
want_requests() {
	local k
	for k in "${!N[@]}"; do
		echo "code=${k#*,},route=${k%,*} ${N[$k]}"
	done
	echo "code=200,route=metrics *"
}
# route_total ROUTE: requests of ROUTE in the mix.
route_total() {
	local k n=0
	for k in "${!N[@]}"; do
		[ "${k%,*}" = "$1" ] && n=$((n + N[$k]))
	done
	echo $n
}
mapfile -t want < <(want_requests)
expect_series "requests by route and status" zsquery_requests_total "${want[@]}"
expect_series "JSON errors by code and cause" zsquery_request_errors_total \
    "cause=client,error=ID.1001,route=list 2" \
    "cause=client,error=ID.1001,route=get 1" \
    "cause=client,error=SYS.1007,route=list 1" \
    "cause=client,error=SYS.1000,route=list 2"
expect_series "latency histogram counts" zsquery_request_duration_seconds_count \
    "route=list $(route_total list)" "route=get $(route_total get)" \
    "route=other $(route_total other)" "route=metrics *"
expect_series "latency +Inf buckets" 'zsquery_request_duration_seconds_bucket{le="+Inf"}' \
    "le=+Inf,route=list $(route_total list)" "le=+Inf,route=get $(route_total get)" \
    "le=+Inf,route=other $(route_total other)" "le=+Inf,route=metrics *"
expect_series "body bytes as curl received them" zsquery_reply_body_bytes_sum \
    "route=list ${SIZE[list]}" "route=get ${SIZE[get]}" \
    "route=other ${SIZE[other]}" "route=metrics *"

# The store's gauges, against zsquery-admin stat.
admin -d "$T/store" stat >"$T/stat" || not_ok "stat"
stat_v() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$T/stat"; }
sessions=$(awk '$1 == "sessions:" { print $2 + $4 }' "$T/stat")
for g in "groups $(stat_v groups)" "accounts $(stat_v accounts)" \
    "sessions $sessions" "map_size_bytes $(stat_v 'map size')"; do
	expect_series "zsquery_store_${g% *}" "zsquery_store_${g% *}" "- ${g#* }"
done
expect_series "feeds never ran" zsquery_feed_age_seconds \
    "feed=groups +Inf" "feed=sessions +Inf"
# The last write: data.mdb's time (checked against the file's own, read
# again on every try: the renewer may write meanwhile); a write by
# zsquery-admin moves it.
mtime_match() {
	series_match 'floor(zsquery_store_last_write_timestamp_seconds)' \
	    "- $(stat -c %Y "$T/store/data.mdb")"
}
wait_until 600 mtime_match && ok || not_ok "last write time: $(cat "$T/why")"
before=$(stat -c %.9Y "$T/store/data.mdb")
admin -d "$T/store" feed fail groups "upstream unreachable (test)" >/dev/null ||
    not_ok "feed fail"
after=$(stat -c %.9Y "$T/store/data.mdb")
python3 -c 'import sys; sys.exit(not float(sys.argv[2]) > float(sys.argv[1]))' \
    "$before" "$after" && ok ||
    not_ok "a write left data.mdb's time as it was: $before $after"
wait_until 600 mtime_match && ok ||
    not_ok "last write time after a write: $(cat "$T/why")"
expect_series "a feed failure" zsquery_feed_failures "feed=groups 1"
expect_series "its time" 'zsquery_feed_last_failure_timestamp_seconds > bool 0' \
    "feed=groups 1"

# ---- a worker killed: the counters go on ----------------------------------------
expect_series "workers started" zsquery_worker_starts_total "- 3"
victim=$(pool_workers "$POOL_PID" | head -n 1)
kill -KILL "$victim"
wait_until 300 eval '[ "$(pool_workers "$POOL_PID" | wc -l)" = 3 ] &&
    ! pool_workers "$POOL_PID" | grep -qx "$victim"' ||
    not_ok "worker $victim was not replaced: $(pool_workers "$POOL_PID" | tr '\n' ' ')"
for i in 1 2 3; do hit list 200 "${A[@]}" "$API/"; done
hit get 200 "${A[@]}" "$API/$G_A1"
hit other 404 "${A[@]}" /zstack/v1/zones
mapfile -t want < <(want_requests)
expect_series "requests after kill -9 of a worker" zsquery_requests_total "${want[@]}"
expect_series "a worker start counted" zsquery_worker_starts_total "- 4"
expect_series "its death by SIGKILL" zsquery_worker_signal_deaths_total \
    "signal=SIGKILL 1"
expect_series "no counter reset" 'resets(zsquery_requests_total[10m])'
expect_series "body bytes after the kill" zsquery_reply_body_bytes_sum \
    "route=list ${SIZE[list]}" "route=get ${SIZE[get]}" \
    "route=other ${SIZE[other]}" "route=metrics *"

# ---- the alert rules in Prometheus --------------------------------------------
rules_ok() {
	curl -s --max-time 10 "$PROM/api/v1/rules" | python3 -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
bad = ["%s: %s %s" % (r["name"], r["health"], r.get("lastError", ""))
       for r in rules if r["health"] != "ok"]
print("%d rules; %s" % (len(rules), "; ".join(bad)))
sys.exit(1 if bad or len(rules) != 3 else 0)' >"$T/why"
}
wait_until 600 rules_ok && ok || not_ok "alert rules in Prometheus: $(cat "$T/why")"
expect_series "the feed-age alert fires (feeds never ran)" \
    'ALERTS{alertname="ZsqueryFeedStale"}' \
    "alertname=ZsqueryFeedStale,alertstate=firing,feed=groups,severity=warning 1" \
    "alertname=ZsqueryFeedStale,alertstate=firing,feed=sessions,severity=warning 1"
expect_series "the worker-death alert fires" \
    'ALERTS{alertname="ZsqueryWorkerDeaths"}' \
    "alertname=ZsqueryWorkerDeaths,alertstate=firing,severity=warning,signal=SIGKILL 1"
# Evaluated over the mix, whose 503s are all the clients' doing (ID.1001,
# SYS.1007, and SYS.1000 for an unknown sort or field): quiet.
expect_series "the server-error rule is quiet" \
    'count(ALERTS{alertname="ZsqueryServerErrors"}) or vector(0)' "- 0"
expect_series "its expression sees no server errors" \
    'sum(rate(zsquery_request_errors_total{cause="server"}[5m]))' "- 0"
expect_series "while it sees the clients' 503s" \
    'sum(rate(zsquery_request_errors_total{cause="client"}[5m])) > 0' "- *"

t_done
