"""Master data: Intacct-owned objects flow down into the reference store, ERP-owned
masters (customers, vendors, items) flow up into Intacct.

Submodules: ``streams`` (one declaration per object), ``timestamps`` (Intacct's
timestamps in the company's timezone), ``keyset`` (the paging cursor), ``extract``
(the one generic extractor), ``dimensions`` (user-defined dimensions and INT402),
``checks`` (Great Expectations on what was extracted), ``push`` (ERP masters to
Intacct), ``run`` (what the DAG's tasks call).
"""
