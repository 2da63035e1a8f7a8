# SPDX-License-Identifier: Apache-2.0
# demo_data.sh - the demo's data: the sample groups, two accounts, a
# share and two sessions, always the same ids and the same rendering
# (zone UTC), so that every reply docs/API.md shows is the reply the demo
# gives.  Sourced by demo.sh and tests/integration/api_doc.sh (bash).
#
#   demo_store ADMIN-BINARY DIR   a new store in DIR (DIR is replaced)
#
# The admin account (the one that sees every group) has session
# DEMO_ADMIN_SID; the tenant account sees only the first sample group,
# shared with it, through DEMO_TENANT_SID.  The sessions last ten years:
# an idle demo must not lock its user out, and renewal never shortens them.

DEMO_TZ=UTC
DEMO_ADMIN_ACCOUNT=36c27e8ff05c4780bf6d2fa65700f22e
DEMO_TENANT_ACCOUNT=d3000000000000000000000000000002
DEMO_ADMIN_SID=d3000000000000000000000000005e51
DEMO_TENANT_SID=d3000000000000000000000000005e52
DEMO_SHARED_GROUP=d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60
DEMO_SESSION_TTL=315360000

# A subshell: the zone applies to these commands only.
demo_store() (
	admin=$1
	s=$2
	sample=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../data/sample.json
	export TZ=$DEMO_TZ

	rm -rf "$s"
	"$admin" -d "$s" init >/dev/null &&
	"$admin" -d "$s" import "$sample" &&
	"$admin" -d "$s" account add "$DEMO_ADMIN_ACCOUNT" --name admin \
	    >/dev/null &&
	"$admin" -d "$s" account add "$DEMO_TENANT_ACCOUNT" --name tenant \
	    >/dev/null &&
	"$admin" -d "$s" share "$DEMO_SHARED_GROUP" \
	    --account "$DEMO_TENANT_ACCOUNT" >/dev/null &&
	"$admin" -d "$s" session create --account "$DEMO_ADMIN_ACCOUNT" \
	    --uuid "$DEMO_ADMIN_SID" --ttl "$DEMO_SESSION_TTL" >/dev/null &&
	"$admin" -d "$s" session create --account "$DEMO_TENANT_ACCOUNT" \
	    --uuid "$DEMO_TENANT_SID" --ttl "$DEMO_SESSION_TTL" >/dev/null
)
