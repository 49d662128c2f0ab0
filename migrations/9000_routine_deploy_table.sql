-- The record of what db/deploy.py deployed (migrations/9999_routines.py): one row per
-- procedure, function, view and trigger, with the SHA-256 of its file and of the server's
-- definition right after it was created. Named like yoyo's own tables: deployment
-- bookkeeping, not billing data.
CREATE TABLE _yoyo_routine (
    kind              VARCHAR(9)  NOT NULL,
    name              VARCHAR(64) NOT NULL,
    path              VARCHAR(255) NOT NULL,
    sha256            CHAR(64)    NOT NULL,
    definition_sha256 CHAR(64)    NOT NULL,
    deployed_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (kind, name)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
