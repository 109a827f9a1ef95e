"""The REST transport of the Intacct client: OAuth 2.0 tokens, JSON requests, the XML-to-REST map.

The pipeline never sees REST: ``include.intacct.client.IntacctClient`` picks this transport for a
connection whose ``transport`` is ``rest`` and keeps the facade's XML-shaped objects and fields.
"""
