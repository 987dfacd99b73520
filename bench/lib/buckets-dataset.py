#!/usr/bin/env python3
"""buckets-dataset.py — the source buckets of bench/buckets.sh, written once into an S3 server and kept.

    buckets-dataset.py mixed BUCKET LARGE SMALL   LARGE objects of 2 KB–8 MB and SMALL of 512 B–16 KiB
    buckets-dataset.py keys BUCKET N SIZE         N objects of SIZE bytes each (0: empty)
    buckets-dataset.py count BUCKET               the bucket's objects and bytes, from a listing

Environment: S3_ENDPOINT (http://host:port), S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION (us-east-1);
BUCKETS_DATASET_THREADS (PUTs in flight, default 8).

mixed and keys *ensure* a dataset: they list the bucket (creating it if missing), upload only the keys the
listing lacks or holds with another size, and fail if the bucket holds keys the dataset does not name. So a
second run checks and uploads nothing, and an interrupted one resumes. Sizes and names are fixed by a seeded
generator (the first K objects of a larger dataset are those of a smaller one); the bytes are random
(incompressible) and differ between objects. mixed's objects carry what a restore must bring back: a
Content-Type, user metadata on every 10th, tags on every 100th; keys' first object has a tag. (A first
backup asks for every object's tags until a tagged one shows that the server sends x-amz-tagging-count.) Prints one JSON line: {objects, bytes, uploaded, uploaded_bytes,
seconds}.

A signing S3 client of its own (SigV4 over http.client, UNSIGNED-PAYLOAD), because boto3 costs ~1 ms of
Python per request: a 1,000,000-key bucket is ~1M PUTs, bound by the server's time per PUT (~2.6 ms on
radosgw here), not by the client.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import math
import os
import queue
import random
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

KIB, MIB = 1024, 1024 * 1024
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def log(msg):
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} buckets-dataset: {msg}", file=sys.stderr, flush=True)


class S3:
    """Path-style SigV4 requests to one endpoint; one keep-alive connection per thread."""

    def __init__(self, endpoint, access_key, secret_key, region):
        url = urllib.parse.urlsplit(endpoint)
        if url.scheme != "http":
            raise SystemExit(f"buckets-dataset: only http:// endpoints are supported, not '{endpoint}'")
        self.host, self.port = url.hostname, url.port or 80
        self.host_header = url.netloc
        self.access_key, self.secret_key, self.region = access_key, secret_key, region
        self.local = threading.local()

    def _signing_key(self, day):
        key = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return key

    def request(self, method, bucket, key="", query=None, headers=None, body=b""):
        """(status, body bytes) of one request; retried on a dropped connection or a 5xx."""
        path = "/" + urllib.parse.quote(bucket, safe="") + ("/" + urllib.parse.quote(key, safe="/~") if key else "")
        query = query or {}
        canonical_query = "&".join(
            f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(str(v), safe='-_.~')}" for k, v in sorted(query.items()))
        for attempt in range(5):
            now = datetime.datetime.now(datetime.timezone.utc)
            amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
            payload = "UNSIGNED-PAYLOAD" if method == "PUT" and key else hashlib.sha256(body).hexdigest()
            signed = {k.lower(): str(v).strip() for k, v in (headers or {}).items()}
            signed.update({"host": self.host_header, "x-amz-date": amz_date, "x-amz-content-sha256": payload})
            names = sorted(signed)
            canonical = "\n".join([method, path, canonical_query,
                                   "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), payload])
            scope = f"{day}/{self.region}/s3/aws4_request"
            to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
            signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
            sent = dict(signed)
            sent["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                     f"SignedHeaders={';'.join(names)}, Signature={signature}")
            sent["content-length"] = str(len(body))
            target = path + ("?" + canonical_query if canonical_query else "")
            try:
                conn = self._connection()
                conn.request(method, target, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as e:
                self._drop()
                if attempt == 4:
                    raise SystemExit(f"buckets-dataset: {method} {target} failed: {e}")
                time.sleep(0.5 * (attempt + 1))
                continue
            if response.status >= 500 and attempt < 4:
                time.sleep(0.5 * (attempt + 1))
                continue
            return response.status, data
        raise AssertionError("unreachable")

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return conn

    def _drop(self):
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
        self.local.conn = None

    def ensure_bucket(self, bucket):
        status, data = self.request("HEAD", bucket)
        if status == 200:
            return
        status, data = self.request("PUT", bucket)
        if status not in (200, 409):
            raise SystemExit(f"buckets-dataset: creating bucket {bucket} answered {status}: {data[:300]!r}")

    def listing(self, bucket):
        """(key, size) of every object, in key order, one page at a time."""
        token = None
        while True:
            query = {"list-type": "2", "max-keys": "1000"}
            if token:
                query["continuation-token"] = token
            status, data = self.request("GET", bucket, query=query)
            if status == 404:
                return
            if status != 200:
                raise SystemExit(f"buckets-dataset: listing {bucket} answered {status}: {data[:300]!r}")
            root = ET.fromstring(data)
            for item in root.iter(S3_NS + "Contents"):
                yield item.find(S3_NS + "Key").text, int(item.find(S3_NS + "Size").text)
            token = root.findtext(S3_NS + "NextContinuationToken")
            if root.findtext(S3_NS + "IsTruncated") != "true" or not token:
                return


def log_uniform(rng, low, high):
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def mixed_spec(large, small):
    """(key, size, headers) of the mixed dataset: ~1.8 GiB in 1,000 objects of 2 KB–8 MB, and small ones."""
    rng = random.Random(20261203)
    for i in range(large):
        kind = rng.random()
        if kind < 0.4:
            size = log_uniform(rng, 2 * KIB, 256 * KIB)
        elif kind < 0.7:
            size = log_uniform(rng, 256 * KIB, 4 * MIB)
        else:
            size = rng.randint(2 * MIB, 8 * MIB)
        yield f"assets/a{i:05d}.bin", size, extras(i, "application/octet-stream", "asset")
    rng = random.Random(20261204)
    for i in range(small):
        yield f"thumbs/t{i:06d}.jpg", log_uniform(rng, 512, 16 * KIB), extras(i, "image/jpeg", "thumb")


def extras(i, content_type, kind):
    headers = {"content-type": content_type}
    if i % 10 == 0:
        headers["x-amz-meta-origin"] = "lifeboat-bench"
    if i % 100 == 0:
        headers["x-amz-tagging"] = f"bench=1&kind={kind}"
    return headers


def keys_spec(n, size):
    """(key, size, headers) of N keys; the first one tagged, as a bucket with any tags at all has one somewhere."""
    for i in range(n):
        yield f"keys/k{i:07d}", size, {"x-amz-tagging": "bench=1"} if i == 0 else {}


def ensure(s3, bucket, spec, threads):
    started = time.monotonic()
    s3.ensure_bucket(bucket)
    listed = dict(s3.listing(bucket))
    log(f"{bucket}: {len(listed)} objects listed")
    todo = queue.Queue(maxsize=threads * 4)
    done = {"objects": 0, "bytes": 0}
    lock = threading.Lock()
    failure = []

    def worker():
        while True:
            item = todo.get()
            if item is None:
                return
            key, size, headers = item
            if failure:
                continue
            status, data = s3.request("PUT", bucket, key, headers=headers, body=os.urandom(size))
            if status != 200:
                failure.append(f"PUT {key} answered {status}: {data[:300]!r}")
                continue
            with lock:
                done["objects"] += 1
                done["bytes"] += size

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    objects = total = 0
    last_report = time.monotonic()
    for key, size, headers in spec:
        objects += 1
        total += size
        if listed.pop(key, None) == size:
            continue
        todo.put((key, size, headers))
        if time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            rate = done["objects"] / (last_report - started)
            log(f"{bucket}: {done['objects']} uploaded ({done['bytes'] / MIB:.0f} MiB, {rate:.0f}/s); at {key}")
        if failure:
            break
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    if failure:
        raise SystemExit(f"buckets-dataset: {bucket}: {failure[0]}")
    if listed:
        raise SystemExit(f"buckets-dataset: {bucket} holds {len(listed)} objects the dataset does not name "
                         f"(e.g. '{next(iter(listed))}'); delete the bucket and run again")
    return {"objects": objects, "bytes": total, "uploaded": done["objects"], "uploaded_bytes": done["bytes"],
            "seconds": round(time.monotonic() - started, 1)}


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    s3 = S3(os.environ["S3_ENDPOINT"], os.environ["S3_ACCESS_KEY"], os.environ["S3_SECRET_KEY"],
            os.environ.get("S3_REGION", "us-east-1"))
    threads = int(os.environ.get("BUCKETS_DATASET_THREADS", "8"))
    mode, bucket = sys.argv[1], sys.argv[2]
    if mode == "mixed" and len(sys.argv) == 5:
        result = ensure(s3, bucket, mixed_spec(int(sys.argv[3]), int(sys.argv[4])), threads)
    elif mode == "keys" and len(sys.argv) == 5:
        result = ensure(s3, bucket, keys_spec(int(sys.argv[3]), int(sys.argv[4])), threads)
    elif mode == "count" and len(sys.argv) == 3:
        objects = total = 0
        for _key, size in s3.listing(bucket):
            objects += 1
            total += size
        result = {"objects": objects, "bytes": total}
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
