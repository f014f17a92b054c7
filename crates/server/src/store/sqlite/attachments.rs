//! SQLite's SQL for attachments' content (see [`attachments`](super::super::attachments)). A
//! chunk is kept in a transaction begun IMMEDIATE: it holds the database's one write lock from the
//! start, so the room left for a case or a centre cannot change under it.

use super::super::attachments::{
    self, Content, ContentTx, Declared, Kept, Limits, StoredAttachment, digest_of,
};
use super::super::rows::{millis, parse_json};
use super::super::{AttachmentStore, CentreId, StoreError};
use super::SqliteStore;
use sakhi_domain::RecordId;
use sakhi_domain::wire::attachment::Upload;
use sqlx::{Sqlite, Transaction};

impl AttachmentStore for SqliteStore {
    async fn attachment(
        &self,
        centre: CentreId,
        id: RecordId,
    ) -> Result<Option<StoredAttachment>, StoreError> {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT body, created_by FROM records
             WHERE id = ? AND centre_id = ? AND kind = 'attachment'",
        )
        .bind(id.to_string())
        .bind(centre.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(body, created_by)| {
            Ok(StoredAttachment {
                record: parse_json(&body, "record")?,
                created_by,
            })
        })
        .transpose()
    }

    async fn keep_chunk(
        &self,
        centre: CentreId,
        id: RecordId,
        declared: &Declared,
        chunk: (u32, &[u8]),
        limits: Limits,
        now: u64,
    ) -> Result<Kept, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let kept = attachments::keep(&mut tx, centre, id, declared, chunk, limits, now).await?;
        tx.commit().await?;
        Ok(kept)
    }

    async fn upload(&self, id: RecordId) -> Result<Option<Upload>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let upload = attachments::upload(&mut tx, id).await?;
        tx.commit().await?;
        Ok(upload)
    }

    async fn chunk(&self, id: RecordId, n: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT bytes FROM attachment_chunks AS c
             JOIN attachment_contents AS a ON a.record_id = c.record_id
             WHERE c.record_id = ? AND c.n = ? AND a.complete_at IS NOT NULL",
        )
        .bind(id.to_string())
        .bind(n)
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl ContentTx for Transaction<'_, Sqlite> {
    async fn content(&mut self, id: RecordId) -> Result<Option<Content>, StoreError> {
        // A chunk's transaction holds the write lock already: nothing changes the row meanwhile.
        let row: Option<(u32, Option<i64>)> = sqlx::query_as(
            "SELECT chunks, complete_at FROM attachment_contents WHERE record_id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **self)
        .await?;
        Ok(row.map(|(chunks, complete_at)| Content {
            chunks,
            complete: complete_at.is_some(),
        }))
    }

    async fn held(&mut self, centre: CentreId, case: RecordId) -> Result<(u64, u64), StoreError> {
        let (case, all): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN case_id = ?2 THEN size END), 0), COALESCE(SUM(size), 0)
             FROM attachment_contents WHERE centre_id = ?1",
        )
        .bind(centre.to_string())
        .bind(case.to_string())
        .fetch_one(&mut **self)
        .await?;
        Ok((
            u64::try_from(case).unwrap_or_default(),
            u64::try_from(all).unwrap_or_default(),
        ))
    }

    async fn make_content(
        &mut self,
        centre: CentreId,
        id: RecordId,
        declared: &Declared,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attachment_contents (record_id, centre_id, case_id, size, sha256, chunks)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(centre.to_string())
        .bind(declared.case.to_string())
        .bind(millis(declared.size))
        .bind(&declared.sha256)
        .bind(declared.chunks())
        .execute(&mut **self)
        .await?;
        Ok(())
    }

    async fn keep_chunk(&mut self, id: RecordId, n: u32, bytes: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attachment_chunks (record_id, n, bytes) VALUES (?, ?, ?)
             ON CONFLICT (record_id, n) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(n)
        .bind(bytes)
        .execute(&mut **self)
        .await?;
        Ok(())
    }

    async fn received(&mut self, id: RecordId) -> Result<Vec<u32>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT n FROM attachment_chunks WHERE record_id = ? ORDER BY n")
                .bind(id.to_string())
                .fetch_all(&mut **self)
                .await?,
        )
    }

    async fn digest(&mut self, id: RecordId) -> Result<String, StoreError> {
        let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT bytes FROM attachment_chunks WHERE record_id = ? ORDER BY n",
        )
        .bind(id.to_string())
        .fetch_all(&mut **self)
        .await?;
        Ok(digest_of(chunks.iter().map(Vec::as_slice)))
    }

    async fn drop_content(&mut self, id: RecordId) -> Result<(), StoreError> {
        for statement in [
            "DELETE FROM attachment_chunks WHERE record_id = ?",
            "DELETE FROM attachment_contents WHERE record_id = ?",
        ] {
            sqlx::query(statement)
                .bind(id.to_string())
                .execute(&mut **self)
                .await?;
        }
        Ok(())
    }

    async fn complete(&mut self, id: RecordId, now: u64) -> Result<(), StoreError> {
        sqlx::query("UPDATE attachment_contents SET complete_at = ? WHERE record_id = ?")
            .bind(millis(now))
            .bind(id.to_string())
            .execute(&mut **self)
            .await?;
        Ok(())
    }
}
