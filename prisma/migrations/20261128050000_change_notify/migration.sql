-- Every proxy process caches authorization data for a moment; these triggers
-- tell them (LISTEN pullgate_changes) the instant a license, customer, app,
-- registry or domain changes, so a revocation takes effect within a second.
CREATE OR REPLACE FUNCTION "pullgate_notify_change"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('pullgate_changes', TG_TABLE_NAME);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "License_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "License"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

CREATE TRIGGER "Customer_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "Customer"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

CREATE TRIGGER "App_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "App"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

CREATE TRIGGER "RegistryCredential_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "RegistryCredential"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

CREATE TRIGGER "_RegistryApps_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "_RegistryApps"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

CREATE TRIGGER "CustomDomain_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "CustomDomain"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();
