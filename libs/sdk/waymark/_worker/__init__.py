"""The worker runtime behind `waymark-start-workers`: register workflows, claim and run action calls."""

from waymark._worker.runtime import Worker

__all__ = ["Worker"]
