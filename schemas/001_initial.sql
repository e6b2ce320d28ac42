-- Boards Desktop schema, file 001: the upstream Boards tables.
--
-- Written once, in the SQL that SQLite and PostgreSQL both accept, and applied in order by
-- `boards-desktop db upgrade` (and by the server at start-up). The ORM models are generated from
-- these files by `boards-desktop db models`; never edit those by hand.
--
-- Conventions:
--   * ids are UUIDs made by the app, stored as lower-case dashed text in VARCHAR(36) columns named
--     `id` or `*_id`; the model generator maps exactly those columns to the UUID type.
--   * timestamps are TIMESTAMP WITH TIME ZONE, always written by the app in UTC.
--   * JSONB is the type name of JSON documents (real jsonb on PostgreSQL, text on SQLite).
--
-- Dropped from upstream: `provider_configs`. Upstream kept provider API keys and settings in it;
-- here keys live only in the environment or the OS keyring (never in the database), and the
-- non-secret provider settings (base URLs, concurrency) live in the config file, so no feature of
-- ours has a use for it. `lora_models` and `credit_transactions` are kept: LoRA artifacts and a
-- record of what generations cost are features this app can grow into.

CREATE TABLE tenants (
    id VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(255) NOT NULL,
    settings JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT uq_tenants_slug UNIQUE (slug)
);

CREATE TABLE users (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    auth_provider VARCHAR(50) NOT NULL,
    auth_subject VARCHAR(255) NOT NULL,
    email VARCHAR(255),
    display_name VARCHAR(255),
    avatar_url TEXT,
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT uq_users_tenant_provider_subject UNIQUE (tenant_id, auth_provider, auth_subject),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE TABLE boards (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    owner_id VARCHAR(36) NOT NULL,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    settings JSONB NOT NULL DEFAULT '{}',
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT ck_boards_title_length CHECK (length(title) BETWEEN 1 AND 255),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_boards_owner_updated ON boards (owner_id, updated_at);
CREATE INDEX ix_boards_public_updated ON boards (is_public, updated_at);
CREATE INDEX ix_boards_tenant ON boards (tenant_id);

CREATE TABLE board_members (
    id VARCHAR(36) NOT NULL,
    board_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    role VARCHAR(50) NOT NULL DEFAULT 'viewer',
    invited_by_id VARCHAR(36),
    joined_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT uq_board_members_board_user UNIQUE (board_id, user_id),
    CONSTRAINT ck_board_members_role CHECK (role IN ('viewer', 'editor', 'admin')),
    FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (invited_by_id) REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX ix_board_members_user ON board_members (user_id);

CREATE TABLE generations (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    board_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    generator_name VARCHAR(100) NOT NULL,
    artifact_type VARCHAR(50) NOT NULL,
    input_params JSONB NOT NULL DEFAULT '{}',
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    storage_url TEXT,
    thumbnail_url TEXT,
    additional_files JSONB NOT NULL DEFAULT '[]',
    output_metadata JSONB NOT NULL DEFAULT '{}',
    input_artifacts JSONB NOT NULL DEFAULT '[]',
    external_job_id VARCHAR(255),
    progress NUMERIC(5, 2) NOT NULL DEFAULT 0,
    error_message TEXT,
    started_at TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT ck_generations_artifact_type
        CHECK (artifact_type IN ('image', 'video', 'audio', 'text', 'lora', 'model')),
    CONSTRAINT ck_generations_status
        CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    CONSTRAINT ck_generations_progress CHECK (progress >= 0 AND progress <= 100),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- The board page and the grid read a board's generations newest first; id breaks ties so that
-- pages never skip or repeat a row.
CREATE INDEX ix_generations_board_created ON generations (board_id, created_at, id);
CREATE INDEX ix_generations_created ON generations (created_at, id);
CREATE INDEX ix_generations_user ON generations (user_id);
CREATE INDEX ix_generations_status_created ON generations (status, created_at);
CREATE INDEX ix_generations_tenant ON generations (tenant_id);

CREATE TABLE tags (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    name VARCHAR(100) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    description TEXT,
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT uq_tags_tenant_slug UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE TABLE generation_tags (
    id VARCHAR(36) NOT NULL,
    generation_id VARCHAR(36) NOT NULL,
    tag_id VARCHAR(36) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT uq_generation_tags_pair UNIQUE (generation_id, tag_id),
    FOREIGN KEY (generation_id) REFERENCES generations (id) ON DELETE CASCADE,
    FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
);

CREATE INDEX ix_generation_tags_tag ON generation_tags (tag_id);

CREATE TABLE lora_models (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    name VARCHAR(255) NOT NULL,
    base_model VARCHAR(100) NOT NULL,
    storage_url TEXT NOT NULL,
    trigger_word VARCHAR(100),
    config JSONB NOT NULL DEFAULT '{}',
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_lora_models_user ON lora_models (user_id);

CREATE TABLE credit_transactions (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    generation_id VARCHAR(36),
    transaction_type VARCHAR(50) NOT NULL,
    amount NUMERIC(10, 4) NOT NULL,
    balance_after NUMERIC(10, 4) NOT NULL,
    description TEXT,
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    CONSTRAINT ck_credit_transactions_type
        CHECK (transaction_type IN ('purchase', 'usage', 'refund', 'adjustment')),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (generation_id) REFERENCES generations (id) ON DELETE SET NULL
);

CREATE INDEX ix_credit_transactions_user ON credit_transactions (user_id, created_at);
