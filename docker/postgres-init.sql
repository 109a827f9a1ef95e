-- The integration ledger and reference store live in their own database.
CREATE USER integration WITH PASSWORD 'integration';
CREATE DATABASE integration OWNER integration;
