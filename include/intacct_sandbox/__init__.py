"""A local server that speaks the Sage Intacct XML gateway protocol (the sandbox).

Start it with `python -m include.intacct_sandbox serve`, or from Python with
`include.intacct_sandbox.process.start_sandbox`.
"""
