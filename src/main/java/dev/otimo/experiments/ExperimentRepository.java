package dev.otimo.experiments;

import dev.otimo.registry.Model;
import org.springframework.data.jpa.repository.JpaRepository;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

public interface ExperimentRepository extends JpaRepository<Experiment, Long> {

    List<Experiment> findByModelOrderByIdDesc(Model model);

    Optional<Experiment> findByIdAndModel(Long id, Model model);

    List<Experiment> findByStatusIn(Collection<ExperimentStatus> statuses);
}
