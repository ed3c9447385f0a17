#!/usr/bin/env python
"""Benchmark of the public site under a production server.

Builds a throw-away site with the demo content, serves it with gunicorn (--workers, default 4,
gthread with --threads, default 4)
and measures requests per second with wrk (Debian package `wrk`: `apt-get install -y wrk`) on
the home page, a notice and a call guideline: warm (pages already in the cache) and cold (page
cache switched off, every request rendered). DEBUG is off (config.settings.bench).

In the warm run, the same server also answers a bare Django view (bench/urls.py, routed only
under these settings with PUSH_BENCH_BARE_VIEW=1) with a body as long as the cached home page:
`bare_rps` is the floor of any Django response on this machine, `warm_ratio` the cached home
page's share of it (home_rps_warm / bare_rps), measured one after the other under the same load.

    python bench/site.py [--workers 4] [--threads 4] [--seconds 10] [--connections 64]

Ends with name=value lines: home_rps_warm, notice_rps_warm, guideline_rps_warm, bare_rps,
warm_ratio, home_rps_cold, load_average.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from demo_site import free_port, serving, throwaway_site  # noqa: E402


def wrk(url, seconds, connections) -> float:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} failed responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def first_url(base, page_type):
    with urllib.request.urlopen(f"{base}/api/v2/pages/?type={page_type}&limit=1") as response:
        return json.load(response)["items"][0]["meta"]["html_url"].replace("http://localhost", base)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    figures = {}
    for mode, cache in (("warm", "1"), ("cold", "0")):
        with throwaway_site("config.settings.bench", {"PUSH_PAGE_CACHE": cache, "PUSH_BENCH_BARE_VIEW": "1"}) as env:
            port = free_port()
            command = [
                gunicorn,
                "config.wsgi",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ]
            with serving(command, env, port) as base:
                urls = {
                    "home": base + "/",
                    "notice": first_url(base, "cms.NoticePage"),
                    "guideline": first_url(base, "cms.CallGuidelinePage"),
                }
                for name, url in urls.items():
                    if mode == "cold" and name != "home":
                        continue
                    wrk(url, 2, args.connections)  # warm up every worker (and its cache)
                    figures[f"{name}_rps_{mode}"] = wrk(url, args.seconds, args.connections)
                    print(
                        f"{mode:4} {name:9} {figures[f'{name}_rps_{mode}']:8.0f} requests/s  {url.replace(base, '')}",
                        flush=True,
                    )
                if mode == "warm":
                    with urllib.request.urlopen(urls["home"]) as response:
                        size = len(response.read())
                    bare = f"{base}/_bench/bare/?bytes={size}"
                    with urllib.request.urlopen(bare) as response:
                        assert len(response.read()) == size
                    wrk(bare, 2, args.connections)
                    figures["bare_rps"] = wrk(bare, args.seconds, args.connections)
                    # The home page again, right after the bare view: the ratio is taken from
                    # the two figures measured under the same conditions, one after the other.
                    home_again = wrk(urls["home"], args.seconds, args.connections)
                    figures["warm_ratio"] = home_again / figures["bare_rps"]
                    print(f"warm bare      {figures['bare_rps']:8.0f} requests/s  {size} bytes", flush=True)
                    print(f"warm home      {home_again:8.0f} requests/s  (again, after the bare view)", flush=True)
    for name in ("home_rps_warm", "notice_rps_warm", "guideline_rps_warm", "bare_rps", "home_rps_cold"):
        print(f"{name}={figures[name]:.0f}")
    print(f"warm_ratio={figures['warm_ratio']:.2f}")
    print("load_average=" + "/".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
