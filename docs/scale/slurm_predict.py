"""Score a survey on SLURM through dask-jobqueue (see README, "Scale out").

    python docs/scale/slurm_predict.py RUN_DIR @paths.txt OUT_DIR --jobs 8

starts ``--jobs`` SLURM jobs of workers (settings: ``docs/scale/slurm.yaml``), runs
``exohunt predict`` on them into ``OUT_DIR`` and closes the cluster. Rerunning the same line
resumes where it stopped. Run it on the login node (or in a small job of its own).
"""

from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_cluster(config: str | Path = HERE / "slurm.yaml"):
    """A ``SLURMCluster`` configured from the YAML file (no job is submitted yet)."""
    import dask.config
    import yaml
    from dask_jobqueue import SLURMCluster

    with open(config) as handle:
        settings = yaml.safe_load(handle)
    dask.config.update(dask.config.config, settings, priority="new")
    return SLURMCluster()


def main() -> None:
    from distributed import Client

    from exohunt.scale import predict_scale

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("out")
    parser.add_argument("--jobs", type=int, default=4, help="SLURM jobs of workers")
    parser.add_argument("--config", default=HERE / "slurm.yaml")
    args = parser.parse_args()
    cluster = make_cluster(args.config)
    cluster.scale(jobs=args.jobs)
    with Client(cluster) as client:
        summary = predict_scale(args.run_dir, args.inputs, args.out, client=client, csv=True)
    cluster.close()
    print(summary)


if __name__ == "__main__":
    main()
