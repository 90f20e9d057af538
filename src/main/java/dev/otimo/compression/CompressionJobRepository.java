package dev.otimo.compression;

import dev.otimo.registry.Model;
import org.springframework.data.jpa.repository.JpaRepository;

import java.util.Collection;
import java.util.List;

public interface CompressionJobRepository extends JpaRepository<CompressionJob, String> {

    List<CompressionJob> findByStatusIn(Collection<JobStatus> statuses);

    List<CompressionJob> findByModelOrderByCreatedAtDesc(Model model);
}
