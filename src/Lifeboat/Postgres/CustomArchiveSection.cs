namespace Lifeboat.Postgres;

/// <summary>pg_dump's sections of an archive, as its TOC entries carry them (pg_backup.h's teSection).</summary>
internal enum CustomArchiveSection
{
    /// <summary>Outside the sections (comments, ACLs); also what an unknown value reads as.</summary>
    None = 1,

    /// <summary>The schema: types, tables, functions.</summary>
    PreData = 2,

    /// <summary>Table data, sequence values, large objects.</summary>
    Data = 3,

    /// <summary>Indexes, constraints, triggers.</summary>
    PostData = 4,
}
