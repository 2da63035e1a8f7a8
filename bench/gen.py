#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen.py - write a synthetic ZStack QueryModelServiceInstanceGroup reply.

Usage: gen.py N [--seed S] [--change-every K] [--lines] > groups.json

--change-every K changes the description of every K-th group (0, K, 2K...)
and nothing else, so the output differs from the plain one in exactly those
groups (a refresh with N/K changes).  --lines writes one group per line
without the reply around them (for PostgreSQL's COPY).

Writes {"inventories":[...]} with N groups nested the way ZStack nests them
(API.md section 8 field order): 1-4 instances, each with a vm holding 1-3
vmNics (1-2 usedIps each), 1-3 allVolumes and 0-1 vmCdRoms; 0-2
datasetRefInventories per group.  Output is a pure function of N and the
seed, and is streamed one group at a time, so memory does not grow with N.

Values the benchmark queries for (stable for every N >= 16):
  - exactly one group is named "bench-needle"; its uuid is NEEDLE_UUID
  - exactly one group has a vmNic with ip 10.255.255.1 (NEEDLE_IP); no
    other address in the data starts with 10.
  - exactly 8 groups have modelServiceUuid NEEDLE_MS
Every other name, modelServiceUuid and modelUuid is drawn from a pool far
smaller than N, so equality on them matches a few to hundreds of groups.
"""

import argparse
import json
import random
import sys
import time

NEEDLE_UUID = "feedface00000000000000000000beef"
NEEDLE_NAME = "bench-needle"
NEEDLE_IP = "10.255.255.1"
NEEDLE_MS = "feedface00000000000000000000be01"
NEEDLE_MS_COUNT = 8

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec")
# Gson dates carry no zone; the importer reads them in the service's zone.
EPOCH0 = 1483228800     # 2017-01-01 00:00:00 UTC
SPAN = 6 * 365 * 86400

STATUS = ("Running",) * 16 + ("Deploying", "Deploying", "Stopped", "Error")
VM_STATE = ("Running",) * 8 + ("Stopped", "Starting")


def gson_date(t):
    """Java 8 Gson's default date form: 'Nov 14, 2017 10:20:57 PM'."""
    tm = time.gmtime(t)
    hour = tm.tm_hour % 12 or 12
    return "%s %d, %d %d:%02d:%02d %s" % (
        MONTHS[tm.tm_mon - 1], tm.tm_mday, tm.tm_year, hour, tm.tm_min,
        tm.tm_sec, "AM" if tm.tm_hour < 12 else "PM")


class Gen:
    def __init__(self, n, seed):
        self.n = n
        self.r = random.Random(seed)
        self.next_ip = 0
        pool = self.uuids
        self.ms_pool = pool(n // 40)        # ~40 groups per value
        self.model_pool = pool(n // 150)    # ~150 groups per value
        self.names = ["svc-%04d" % i for i in range(max(1, n // 25))]
        self.zones = pool(3)
        self.clusters = pool(8)
        self.hosts = pool(64)
        self.images = pool(20)
        self.offerings = pool(6)
        self.l3s = pool(12)
        self.ranges = pool(24)
        self.storages = pool(4)
        self.accounts = pool(30)
        self.datasets = pool(200)
        self.isos = pool(10)
        # Spread the needles over the key space.
        self.needle_name_at = n // 2
        self.needle_ip_at = (n * 3) // 4 + 1 if n > 4 else 0
        step = max(1, n // NEEDLE_MS_COUNT)
        self.needle_ms_at = set(range(step // 2, n, step)[:NEEDLE_MS_COUNT])

    def uuid(self):
        return "%032x" % self.r.getrandbits(128)

    def uuids(self, k):
        """A pool of max(1, k) uuids to draw shared references from."""
        return [self.uuid() for _ in range(max(1, k))]

    def date_pair(self):
        c = EPOCH0 + self.r.randrange(SPAN)
        return gson_date(c), gson_date(c + self.r.randrange(86400 * 30))

    def ip(self):
        """A fresh 172.16/12 address: unique, never the needle."""
        k = self.next_ip
        self.next_ip += 1
        return "172.%d.%d.%d" % (16 + (k >> 16) % 16, (k >> 8) & 255,
                                 (k & 255) or 1)

    def used_ip(self, nic_uuid, l3, addr):
        octets = [int(x) for x in addr.split(".")]
        as_long = (octets[0] << 24) | (octets[1] << 16) | \
            (octets[2] << 8) | octets[3]
        c, m = self.date_pair()
        return {
            "uuid": self.uuid(),
            "ipRangeUuid": self.r.choice(self.ranges),
            "l3NetworkUuid": l3,
            "ipVersion": 4,
            "ip": addr,
            "netmask": "255.255.0.0",
            "gateway": addr.rsplit(".", 2)[0] + ".0.1",
            "usedFor": "Vip" if self.r.random() < 0.1 else "Application",
            "ipInLong": as_long,
            "ipInBinary": [b - 256 if b > 127 else b for b in octets],
            "vmNicUuid": nic_uuid,
            "createDate": c,
            "lastOpDate": m,
        }

    def nic(self, vm_uuid, dev, needle):
        u = self.uuid()
        l3 = self.r.choice(self.l3s)
        addr = NEEDLE_IP if needle else self.ip()
        ips = [self.used_ip(u, l3, addr)]
        if self.r.random() < 0.3:
            ips.append(self.used_ip(u, l3, self.ip()))
        c, m = self.date_pair()
        return {
            "uuid": u,
            "vmInstanceUuid": vm_uuid,
            "l3NetworkUuid": l3,
            "ip": addr,
            "mac": "fa:%02x:%02x:%02x:%02x:%02x" % tuple(
                self.r.randrange(256) for _ in range(5)),
            "hypervisorType": "KVM",
            "netmask": "255.255.0.0",
            "gateway": addr.rsplit(".", 2)[0] + ".0.1",
            "metaData": "",
            "ipVersion": 4,
            "driverType": "virtio",
            "usedIps": ips,
            "internalName": "vnic%d.%d" % (self.r.randrange(1000), dev),
            "deviceId": dev,
            "type": "VNIC",
            "state": "Enable",
            "createDate": c,
            "lastOpDate": m,
        }

    def volume(self, vm_uuid, dev):
        root = dev == 0
        u = self.uuid()
        size = (40 if root else self.r.choice((100, 200, 500, 1000))) << 30
        c, m = self.date_pair()
        v = {
            "uuid": u,
            "name": ("ROOT-for-%s" % vm_uuid) if root else "data-%d" % dev,
            "description": "Root volume for VM[uuid:%s]" % vm_uuid
            if root else "",
            "primaryStorageUuid": self.r.choice(self.storages),
            "vmInstanceUuid": vm_uuid,
            "diskOfferingUuid": None if root
            else self.r.choice(self.offerings),
            "rootImageUuid": self.r.choice(self.images),
            "installPath": "/zstack_ps/rootVolumes/acct-admin/vol-%s/%s.qcow2"
            % (u, u),
            "type": "Root" if root else "Data",
            "format": "qcow2",
            "size": size,
            "actualSize": self.r.randrange(1 << 30, size),
            "deviceId": dev,
            "state": "Enabled",
            "status": "Ready",
            "createDate": c,
            "lastOpDate": m,
            "isShareable": False,
            "volumeQos": "",
            "lastVmInstanceUuid": vm_uuid,
            "lastAttachDate": None if root else m,
            "protocol": "file",
        }
        # Gson omits nulls; so does ZStack's reply.
        return {k: x for k, x in v.items() if x is not None}

    def vm(self, needle_nic):
        u = self.uuid()
        nnic = self.r.randrange(1, 4)
        nvol = self.r.randrange(1, 4)
        nics = [self.nic(u, d, needle_nic and d == 0) for d in range(nnic)]
        vols = [self.volume(u, d) for d in range(nvol)]
        c, m = self.date_pair()
        host = self.r.choice(self.hosts)
        v = {
            "uuid": u,
            "name": "model-vm-%s" % u[:8],
            "description": "",
            "zoneUuid": self.r.choice(self.zones),
            "clusterUuid": self.r.choice(self.clusters),
            "imageUuid": self.r.choice(self.images),
            "hostUuid": host,
            "lastHostUuid": host,
            "instanceOfferingUuid": self.r.choice(self.offerings),
            "rootVolumeUuid": vols[0]["uuid"],
            "platform": "Linux",
            "architecture": "x86_64",
            "defaultL3NetworkUuid": nics[0]["l3NetworkUuid"],
            "type": "UserVm",
            "hypervisorType": "KVM",
            "memorySize": self.r.choice((8, 16, 32, 64)) << 30,
            "reservedMemorySize": 0,
            "cpuNum": self.r.choice((4, 8, 16)),
            "cpuSpeed": 0,
            "allocatorStrategy": "LastHostPreferredAllocatorStrategy",
            "createDate": c,
            "lastOpDate": m,
            "state": self.r.choice(VM_STATE),
            "vmNics": nics,
            "allVolumes": vols,
            "vmCdRoms": [],
            "guestOsType": "Linux",
        }
        if self.r.random() < 0.4:
            iso = self.r.choice(self.isos)
            v["vmCdRoms"].append({
                "uuid": self.uuid(),
                "vmInstanceUuid": u,
                "deviceId": 0,
                "isoUuid": iso,
                "isoInstallPath": "/zstack_bs/iso/%s.iso" % iso,
                "name": "vm-%s-cdRom" % u[:8],
                "createDate": c,
                "lastOpDate": m,
            })
        return v

    def instance(self, group_uuid, rank, needle_nic):
        u = self.uuid()
        vm = self.vm(needle_nic)
        port = 30000 + self.r.randrange(2000)
        ip = vm["vmNics"][0]["ip"]
        c, m = self.date_pair()
        return {
            "uuid": u,
            "name": "instance-%d" % rank,
            "modelServiceGroupUuid": group_uuid,
            "yaml": "service: service\nreplicas: 1\nport: %d\n" % port,
            "status": self.r.choice(STATUS),
            "url": "http://%s:%d" % (ip, port),
            "urlMaps": {"api": "http://%s:%d/v1" % (ip, port),
                        "metrics": "http://%s:%d/metrics" % (ip, port)},
            "internalUrl": "http://%s:%d" % (ip, port),
            "vmInstanceUuid": vm["uuid"],
            "nodeRank": rank,
            "accountUuid": self.r.choice(self.accounts),
            "architecture": "x86_64",
            "gpuVendor": self.r.choice(("NVIDIA", "NVIDIA", "AMD")),
            "vm": vm,
            "createDate": c,
            "lastOpDate": m,
        }

    def group(self, i):
        u = NEEDLE_UUID if i == self.needle_name_at else self.uuid()
        ninst = self.r.randrange(1, 5)
        insts = [self.instance(u, k, i == self.needle_ip_at and k == 0)
                 for k in range(ninst)]
        refs = []
        for _ in range(self.r.randrange(3)):
            c, m = self.date_pair()
            refs.append({"uuid": self.uuid(),
                         "datasetUuid": self.r.choice(self.datasets),
                         "modelServiceInstanceGroupUuid": u,
                         "createDate": c, "lastOpDate": m})
        c, m = self.date_pair()
        name = NEEDLE_NAME if i == self.needle_name_at else \
            self.r.choice(self.names)
        return {
            "uuid": u,
            "modelServiceUuid": NEEDLE_MS if i in self.needle_ms_at
            else self.r.choice(self.ms_pool),
            "modelUuid": self.r.choice(self.model_pool),
            "instances": insts,
            "datasetRefInventories": refs,
            "status": self.r.choice(STATUS),
            "modelServiceType": self.r.choice(("Endpoint", "Training")),
            "type": "ModelService",
            "name": name,
            "description": "benchmark group %d <&> 'x'" % i,
            "createDate": c,
            "lastOpDate": m,
            "supportMetrics": ["gpu", "latency"],
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of groups")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--change-every", type=int, default=0)
    ap.add_argument("--lines", action="store_true")
    a = ap.parse_args()
    if a.n < 0:
        ap.error("N must be >= 0")
    g = Gen(a.n, a.seed)
    out = sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False,
                             separators=(",", ":")).encode
    if not a.lines:
        out.write('{"inventories":[')
    for i in range(a.n):
        grp = g.group(i)
        if a.change_every and i % a.change_every == 0:
            grp["description"] += " (changed)"
        if i and not a.lines:
            out.write(",\n")
        out.write(dumps(grp))
        if a.lines:
            out.write("\n")
    if not a.lines:
        out.write("]}\n")


if __name__ == "__main__":
    main()
