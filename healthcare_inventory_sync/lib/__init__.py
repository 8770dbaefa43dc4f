"""ORM-free helpers of inventory sync; nothing here imports Odoo.

- ``gs1``: GTIN check digits and 14-digit keys, GS1 element strings and Digital Link URIs (biip);
- ``events``: canonical inventory events (events-v1.md) read into typed ``NormalisedEvent`` values;
- ``fhir``: FHIR R4 SupplyDelivery / MedicationDispense (and Bundles of them) to canonical events.
"""
