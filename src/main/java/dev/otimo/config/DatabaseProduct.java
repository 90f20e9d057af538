package dev.otimo.config;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

import javax.sql.DataSource;
import java.sql.DatabaseMetaData;

/** The kind of database behind the registry: some features need PostgreSQL. */
public enum DatabaseProduct {
    POSTGRESQL, H2, OTHER;

    /** Asks the database itself (one connection from the pool). */
    public static DatabaseProduct of(DataSource dataSource) {
        String name;
        try {
            name = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database the registry uses: " + e.getMessage(), e);
        }
        if ("PostgreSQL".equalsIgnoreCase(name)) {
            return POSTGRESQL;
        }
        return "H2".equalsIgnoreCase(name) ? H2 : OTHER;
    }
}
