namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>A small database with every shape of data a dump must carry faithfully.</summary>
public static class RichDatabase
{
    /// <summary>Every shape but large objects.</summary>
    public const string Tables = """
        CREATE EXTENSION postgis;
        CREATE SCHEMA "Geo Data";

        CREATE TABLE public.projects (
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            settings jsonb NOT NULL,
            thumbnail bytea,
            created_at timestamptz NOT NULL DEFAULT '2026-01-01T00:00:00Z');
        INSERT INTO public.projects (name, settings, thumbnail)
        SELECT 'project ' || g,
               jsonb_build_object('camera', jsonb_build_object('fov', g % 90, 'pos', jsonb_build_array(g, g * 2, g * 3)), 'tags', jsonb_build_array('a', 'b')),
               decode(md5(g::text) || md5((g + 1)::text), 'hex')
        FROM generate_series(1, 300) g;
        -- Sequences advanced past their rows must come back at their position, not at max(id).
        SELECT setval('public.projects_id_seq', 5000);

        CREATE TABLE "Geo Data"."Parcels" (
            id serial PRIMARY KEY,
            project_id bigint NOT NULL REFERENCES public.projects(id),
            geom geometry(Polygon, 4326) NOT NULL,
            centroid geography(Point, 4326),
            "Mixed Case Column" text);
        INSERT INTO "Geo Data"."Parcels" (project_id, geom, centroid, "Mixed Case Column")
        SELECT 1 + g % 300,
               ST_MakeEnvelope(g * 0.01, g * 0.02, g * 0.01 + 0.005, g * 0.02 + 0.005, 4326),
               ST_SetSRID(ST_MakePoint(g * 0.01, g * 0.02), 4326)::geography,
               'parcel "' || g || '"'
        FROM generate_series(1, 500) g;
        CREATE INDEX parcels_geom ON "Geo Data"."Parcels" USING gist (geom);
        CREATE SEQUENCE "Geo Data"."Ticket Numbers" START 100;
        SELECT nextval('"Geo Data"."Ticket Numbers"') FROM generate_series(1, 7);

        CREATE TABLE public.events (
            id bigint GENERATED ALWAYS AS IDENTITY,
            at date NOT NULL,
            payload jsonb) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2026_01 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
        CREATE TABLE public.events_2026_02 PARTITION OF public.events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
        INSERT INTO public.events (at, payload)
        SELECT DATE '2026-01-01' + (g % 59), jsonb_build_object('n', g)
        FROM generate_series(1, 400) g;

        CREATE TABLE public.empty_table (id int);
        """;

    /// <summary>Large objects, which pg_dump carries apart from tables (a parallel restore spools them whole).</summary>
    public const string LargeObjects = """
        CREATE TABLE public.documents (id int PRIMARY KEY, content oid NOT NULL);
        INSERT INTO public.documents VALUES (1, lo_from_bytea(0, convert_to(repeat('large object body ', 5000), 'UTF8')));
        INSERT INTO public.documents VALUES (2, lo_from_bytea(0, '\x00ff00ff'::bytea));
        """;

    /// <summary>All of it.</summary>
    public const string Sql = Tables + "\n" + LargeObjects;
}
