"""Invoice publishing for HOA property management: domain, data access and API glue.

Dependencies point one way: ``api`` -> ``service`` -> ``dal``. The domain modules
(``models``, ``lifecycle``, ``money``, ``errors``) import nothing from AWS.
"""
