package dev.otimo.registry;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

import java.util.List;
import java.util.Optional;

public interface ModelVersionRepository extends JpaRepository<ModelVersion, Long> {

    List<ModelVersion> findByModelOrderByNumberAsc(Model model);

    Optional<ModelVersion> findByModelAndNumber(Model model, int number);

    @Query("select coalesce(max(v.number), 0) from ModelVersion v where v.model = :model")
    int maxNumber(Model model);

    long countBySha256(String sha256);
}
