-- 0002_redfish_southbound: BMCs reached over Redfish alone, over HTTPS with a
-- per-blade certificate policy, with their own Redfish credentials; the BMC's
-- own MAC address from its Manager.
ALTER TABLE bmc_endpoints ADD COLUMN redfish_tls_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE bmc_endpoints ADD COLUMN redfish_ca_file TEXT NOT NULL DEFAULT '';
ALTER TABLE bmc_endpoints ADD COLUMN redfish_insecure INTEGER NOT NULL DEFAULT 0 CHECK (redfish_insecure IN (0, 1));
ALTER TABLE bmc_endpoints ADD COLUMN redfish_session_auth INTEGER NOT NULL DEFAULT 1
    CHECK (redfish_session_auth IN (0, 1));
ALTER TABLE bmc_endpoints ADD COLUMN redfish_system TEXT NOT NULL DEFAULT '';

-- Redfish credentials when they differ from the IPMI ones (empty: the same).
ALTER TABLE bmc_credentials ADD COLUMN redfish_username TEXT NOT NULL DEFAULT '';
ALTER TABLE bmc_credentials ADD COLUMN redfish_password TEXT NOT NULL DEFAULT '';

ALTER TABLE blades ADD COLUMN bmc_mac TEXT NOT NULL DEFAULT '';
