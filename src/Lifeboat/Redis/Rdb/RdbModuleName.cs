namespace Lifeboat.Redis.Rdb;

/// <summary>The name a module type's 64-bit id encodes (moduleTypeNameByID): nine characters of six bits, then a 10-bit encoding version.</summary>
internal static class RdbModuleName
{
    private const string Charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static string Of(ulong moduleId)
    {
        var name = new char[9];
        var id = moduleId >> 10;
        for (var j = 8; j >= 0; j--)
        {
            name[j] = Charset[(int)(id & 63)];
            id >>= 6;
        }

        return new string(name);
    }
}
