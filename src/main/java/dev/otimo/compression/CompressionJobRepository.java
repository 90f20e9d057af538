package dev.otimo.compression;

import dev.otimo.registry.Model;
import jakarta.persistence.LockModeType;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

public interface CompressionJobRepository extends JpaRepository<CompressionJob, String> {

    List<CompressionJob> findByStatusIn(Collection<JobStatus> statuses);

    List<CompressionJob> findByModelOrderByCreatedAtDesc(Model model);

    /**
     * The job, its row locked until the transaction ends: a cancel and the worker's own updates
     * (progress, success, failure) read and write it one after the other, so none overwrites another.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select j from CompressionJob j where j.id = :id")
    Optional<CompressionJob> lockById(@Param("id") String id);
}
