"""Progress lines: done of total, rate, time left; at most every few seconds."""

import logging

from include.pipeline.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_says_done_of_total_the_rate_and_the_time_left_every_few_seconds(caplog):
    caplog.set_level(logging.INFO, logger="include.pipeline.progress")
    clock = Clock()
    progress = Progress("ar_invoice load", 1000, every=10, clock=clock)
    clock.now = 4
    progress.add(100)  # too soon: no line
    clock.now = 10
    progress.add(150)
    assert caplog.messages == ["ar_invoice load: 250 of 1,000 (25%) in 10 s, 25/s, about 30 s left"]
    clock.now = 40
    progress.add(750)
    assert progress.finish() == "ar_invoice load: 1,000 of 1,000 (100%) in 40 s, 25/s"


def test_an_unknown_total_says_what_is_known():
    clock = Clock()
    progress = Progress("extract", None, clock=clock)
    clock.now = 2
    progress.add(20)
    assert progress.line(clock.now) == "extract: 20 in 2 s, 10/s"
